package dev.ferry.sftp.status;

import dev.ferry.storage.UnsupportedByStorageException;
import java.nio.file.FileSystemException;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.apache.sshd.sftp.common.SftpHelper;
import org.apache.sshd.sftp.server.SftpErrorStatusDataHandler;
import org.apache.sshd.sftp.server.SftpSubsystemEnvironment;

/**
 * The one place SFTP status messages are made: the status's plain meaning plus, where Ferry
 * gave one, a reason. Never exception text or file names, which could name on-disk paths.
 */
public final class SafeErrorMessages implements SftpErrorStatusDataHandler {

    /** A safe one-line description of a failure for the audit trail (no on-disk paths). */
    public static String describe(Throwable e) {
        if (e instanceof SftpException && e.getMessage() != null) {
            return e.getMessage();
        }
        String meaning = SftpHelper.resolveStatusMessage(status(e));
        if (e instanceof FileSystemException fse && fse.getReason() != null && !fse.getReason().contains("/")) {
            return meaning + ": " + fse.getReason();
        }
        return meaning;
    }

    /** MINA's status for an exception, except what the storage cannot do at all: "operation unsupported". */
    public static int status(Throwable e) {
        return e instanceof UnsupportedByStorageException ? SftpConstants.SSH_FX_OP_UNSUPPORTED : SftpHelper.resolveSubstatus(e);
    }

    @Override
    public int resolveSubStatus(SftpSubsystemEnvironment subsystem, int id, Throwable e, int cmd, Object... args) {
        return status(e);
    }

    @Override
    public String resolveErrorMessage(SftpSubsystemEnvironment subsystem, int id, Throwable e, int subStatus, int cmd,
            Object... args) {
        if (e instanceof SftpException && e.getMessage() != null) {
            return e.getMessage();
        }
        String meaning = SftpHelper.resolveStatusMessage(subStatus);
        if (e instanceof FileSystemException fse && fse.getReason() != null && !fse.getReason().contains("/")) {
            return meaning + ": " + fse.getReason();
        }
        return meaning;
    }
}
