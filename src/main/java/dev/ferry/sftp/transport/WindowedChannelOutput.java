package dev.ferry.sftp.transport;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.RemoteWindow;
import org.apache.sshd.common.channel.throttle.ChannelStreamWriter;
import org.apache.sshd.common.future.CloseFuture;
import org.apache.sshd.common.io.AbstractIoWriteFuture;
import org.apache.sshd.common.io.IoOutputStream;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.closeable.AbstractCloseable;

/**
 * Sends an SFTP channel's replies as SSH_MSG_CHANNEL_DATA packets from the channel's own SFTP
 * thread: each packet is encrypted there and handed to the transport's write queue at once, as far
 * as the client's window allows; when the window is used up, that thread (and only it) waits for
 * the client's window adjustment.
 * <p>
 * Why: MINA's own channel stream sends one packet, waits until the socket took it, then encrypts
 * the next one on an I/O thread, so a 255 KiB READ reply crosses threads eight times and
 * encryption never overlaps the socket writes. The client's window bounds what is queued
 * (OpenSSH: 2 MiB per channel), as before.
 */
public final class WindowedChannelOutput extends AbstractCloseable implements IoOutputStream {

    /** A client that stops adjusting its window for this long is given up on. */
    private static final Duration WINDOW_WAIT = Duration.ofMinutes(5);

    private final Channel channel;
    private final ChannelStreamWriter writer;
    private volatile IoWriteFuture lastWrite;

    public WindowedChannelOutput(Channel channel) {
        this.channel = channel;
        this.writer = channel.resolveChannelStreamWriter(channel, SshConstants.SSH_MSG_CHANNEL_DATA);
    }

    @Override
    public IoWriteFuture writeBuffer(Buffer buffer) throws IOException {
        RemoteWindow window = channel.getRemoteWindow();
        IoWriteFuture written = null;
        while (buffer.available() > 0) {
            if (isClosing() || !channel.isOpen()) {
                throw new EOFException("the SFTP channel is closed");
            }
            long space = window.getSize();
            if (space <= 0) {
                try {
                    space = window.waitForSpace(WINDOW_WAIT);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for the client's window");
                }
            }
            int chunk = (int) Math.min(buffer.available(), Math.min(window.getPacketSize(), space));
            window.consume(chunk);
            Buffer packet = channel.getSession().createBuffer(SshConstants.SSH_MSG_CHANNEL_DATA, chunk + 12);
            packet.putUInt(channel.getRecipient());
            packet.putUInt(chunk);
            packet.putRawBytes(buffer.array(), buffer.rpos(), chunk);
            buffer.rpos(buffer.rpos() + chunk);
            written = writer.writeData(packet);
        }
        if (written == null) {
            return AbstractIoWriteFuture.fulfilled(this, Boolean.TRUE);
        }
        lastWrite = written;
        return written;
    }

    /** Closing gracefully waits until the transport has taken the last packet. */
    @Override
    protected CloseFuture doCloseGracefully() {
        IoWriteFuture last = lastWrite;
        return last == null ? super.doCloseGracefully() : builder().when(last).build().close(false);
    }
}
