package dev.ferry.sftp;

import dev.ferry.quotas.QuotaLedger;
import java.io.IOException;
import org.apache.sshd.common.util.GenericUtils;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.sftp.server.SftpSubsystem;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

/** Creates {@link HomeSftpSubsystem}s wired to Ferry's accessor, access control and error messages. */
final class HomeSftpSubsystemFactory extends SftpSubsystemFactory {

    private final QuotaLedger ledger;
    private final AccessControl accessControl;

    private final dev.ferry.audit.FileDigests fileDigests;

    HomeSftpSubsystemFactory(SftpSessions sessions, QuotaLedger ledger, dev.ferry.audit.FileDigests fileDigests) {
        this.ledger = ledger;
        this.fileDigests = fileDigests;
        this.accessControl = new AccessControl(sessions.audit());
        setFileSystemAccessor(new HomeFileSystemAccessor(sessions, ledger));
        setErrorStatusDataHandler(new SafeErrorMessages());
        addSftpEventListener(accessControl);
        addSftpEventListener(new TransferCounters());
        addSftpEventListener(new AuditedOperations(sessions.audit()));
    }

    @Override
    public Command createSubsystem(ChannelSession channel) throws IOException {
        SftpSubsystem subsystem = new HomeSftpSubsystem(channel, this, ledger::usage, accessControl, fileDigests);
        GenericUtils.forEach(getRegisteredListeners(), subsystem::addSftpEventListener);
        return subsystem;
    }
}
