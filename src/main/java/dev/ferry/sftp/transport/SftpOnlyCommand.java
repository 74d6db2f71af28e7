package dev.ferry.sftp.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * Answers any shell or exec request with a one-line refusal and exit status 1, so a client that
 * tries ends at once with a clear message (as OpenSSH's {@code ForceCommand internal-sftp} does)
 * instead of hanging on a channel that will never run anything.
 */
public final class SftpOnlyCommand implements Command {

    static final String MESSAGE = "This service allows SFTP connections only.\r\n";

    private OutputStream err;
    private ExitCallback exit;

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
        try {
            err.write(MESSAGE.getBytes(StandardCharsets.US_ASCII));
            err.flush();
        } finally {
            exit.onExit(1, "SFTP only");
        }
    }

    @Override
    public void destroy(ChannelSession channel) {
    }

    @Override
    public void setInputStream(InputStream in) {
    }

    @Override
    public void setOutputStream(OutputStream out) {
    }

    @Override
    public void setErrorStream(OutputStream err) {
        this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
        this.exit = callback;
    }
}
