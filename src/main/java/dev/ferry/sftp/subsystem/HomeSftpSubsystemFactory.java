package dev.ferry.sftp.subsystem;

import dev.ferry.quotas.QuotaLedger;
import dev.ferry.sftp.transfer.KnownDigests;
import java.io.IOException;
import org.apache.sshd.common.util.GenericUtils;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.sftp.server.SftpSubsystem;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

/**
 * Creates {@link HomeSftpSubsystem}s on Ferry's file system accessor, each with the event
 * listeners registered here (which {@code SftpServer} registers, in the order they run).
 */
public final class HomeSftpSubsystemFactory extends SftpSubsystemFactory {

    private final QuotaLedger ledger;
    private final AccessControl accessControl;
    private final KnownDigests knownDigests;

    public HomeSftpSubsystemFactory(HomeFileSystemAccessor accessor, AccessControl accessControl, QuotaLedger ledger,
            KnownDigests knownDigests) {
        this.ledger = ledger;
        this.knownDigests = knownDigests;
        this.accessControl = accessControl;
        setFileSystemAccessor(accessor);
    }

    @Override
    public Command createSubsystem(ChannelSession channel) throws IOException {
        SftpSubsystem subsystem = new HomeSftpSubsystem(channel, this, ledger, accessControl, knownDigests);
        GenericUtils.forEach(getRegisteredListeners(), subsystem::addSftpEventListener);
        return subsystem;
    }
}
