package dev.ferry.sftp;

import java.io.IOException;
import org.apache.sshd.common.util.GenericUtils;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.sftp.server.SftpSubsystem;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

/** Creates {@link HomeSftpSubsystem}s wired to Ferry's accessor and error messages. */
final class HomeSftpSubsystemFactory extends SftpSubsystemFactory {

    HomeSftpSubsystemFactory() {
        setFileSystemAccessor(new HomeFileSystemAccessor());
        setErrorStatusDataHandler(new SafeErrorMessages());
    }

    @Override
    public Command createSubsystem(ChannelSession channel) throws IOException {
        SftpSubsystem subsystem = new HomeSftpSubsystem(channel, this);
        GenericUtils.forEach(getRegisteredListeners(), subsystem::addSftpEventListener);
        return subsystem;
    }
}
