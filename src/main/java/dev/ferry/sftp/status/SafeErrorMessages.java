package dev.ferry.sftp.status;

import dev.ferry.storage.UnsupportedByStorageException;
import java.nio.file.FileSystemException;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.apache.sshd.sftp.common.SftpHelper;
import org.apache.sshd.sftp.server.SftpErrorStatusDataHandler;
import org.apache.sshd.sftp.server.SftpSubsystemEnvironment;

/**
 * The one place SFTP status messages are made, for the client and the audit trail alike. Which
 * text may be shown is decided by the exception's type, never by what its text looks like:
 * <ul>
 * <li>an {@link SftpException} is Ferry's (or MINA's) answer to the client: its message is the reason;</li>
 * <li>a {@link FileSystemException} keeps the paths it is about apart from its reason
 * ({@code getFile()}, {@code getOtherFile()}), and its reason says why the operation failed
 * (Ferry's storage writes them for the user, the JDK gives the system's error text): the status's
 * meaning is shown with that reason, never the exception's message, which names the paths;</li>
 * <li>anything else (an {@code IOException}'s or a library's text may name on-disk paths or
 * internals): only the status's meaning.</li>
 * </ul>
 */
public final class SafeErrorMessages implements SftpErrorStatusDataHandler {

    /** A safe one-line description of a failure for the audit trail. */
    public static String describe(Throwable e) {
        return message(e, status(e));
    }

    /** MINA's status for an exception, except what the storage cannot do at all: "operation unsupported". */
    public static int status(Throwable e) {
        return e instanceof UnsupportedByStorageException ? SftpConstants.SSH_FX_OP_UNSUPPORTED : SftpHelper.resolveSubstatus(e);
    }

    private static String message(Throwable e, int status) {
        if (e instanceof SftpException && e.getMessage() != null) {
            return e.getMessage();
        }
        String meaning = SftpHelper.resolveStatusMessage(status);
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return meaning + ": " + fse.getReason();
        }
        return meaning;
    }

    @Override
    public int resolveSubStatus(SftpSubsystemEnvironment subsystem, int id, Throwable e, int cmd, Object... args) {
        return status(e);
    }

    @Override
    public String resolveErrorMessage(SftpSubsystemEnvironment subsystem, int id, Throwable e, int subStatus, int cmd,
            Object... args) {
        return message(e, subStatus);
    }

    /**
     * SFTP v3, what OpenSSH and most clients speak, has status codes up to OP_UNSUPPORTED; MINA's
     * finer ones (file exists, directory not empty, ...) reach those clients as "Unknown status".
     * They are mapped as OpenSSH's sftp-server maps the errors; the message keeps the detail.
     */
    public static int v3Status(int status) {
        if (status <= SftpConstants.SSH_FX_OP_UNSUPPORTED) {
            return status;
        }
        return switch (status) {
            case SftpConstants.SSH_FX_NO_SUCH_PATH, SftpConstants.SSH_FX_NOT_A_DIRECTORY, SftpConstants.SSH_FX_LINK_LOOP ->
                    SftpConstants.SSH_FX_NO_SUCH_FILE;
            case SftpConstants.SSH_FX_WRITE_PROTECT, SftpConstants.SSH_FX_CANNOT_DELETE -> SftpConstants.SSH_FX_PERMISSION_DENIED;
            case SftpConstants.SSH_FX_INVALID_FILENAME, SftpConstants.SSH_FX_INVALID_PARAMETER -> SftpConstants.SSH_FX_BAD_MESSAGE;
            default -> SftpConstants.SSH_FX_FAILURE;
        };
    }
}
