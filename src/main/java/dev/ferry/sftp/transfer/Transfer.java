package dev.ferry.sftp.transfer;

import dev.ferry.sftp.session.FerrySession;
import dev.ferry.sftp.session.OpenTransfer;
import dev.ferry.sftp.session.SftpAudit;
import dev.ferry.shared.ForwardingChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;

/**
 * A file open for an upload or a download, as the channel MINA reads or writes through. Both
 * directions are made of the same pieces: pacing to the user's bandwidth ({@link RateLimiter}),
 * counting the bytes in the session's counters, the SHA-256 of the bytes as they pass
 * ({@link TransferDigest}), an explicit {@link TransferState}, the session's registry of open
 * transfers (joined at open, left when the transfer ends) and an audit record written once, when
 * it ends. What differs is in {@link Upload} (quota, size limit, publishing on CLOSE) and
 * {@link Download}.
 * <p>
 * The read and write paths do no allocation and take no lock per packet; a subsystem serves one
 * channel's requests in order on one thread.
 */
public abstract sealed class Transfer extends ForwardingChannel implements OpenTransfer permits Upload, Download {

    protected final FerrySession session;
    protected final SftpAudit audit;
    protected final TransferDigest digest;
    private final String virtualPath;
    private final RateLimiter pace;
    private final long startedNanos = System.nanoTime();
    /** Payload bytes moved in the transfer's direction. */
    protected long bytes;
    private volatile TransferState state = TransferState.OPEN;

    Transfer(SeekableByteChannel channel, FerrySession session, String virtualPath, RateLimiter pace, TransferDigest digest,
            SftpAudit audit) {
        super(channel);
        this.session = session;
        this.virtualPath = virtualPath;
        this.pace = pace;
        this.digest = digest;
        this.audit = audit;
    }

    @Override
    public final String virtualPath() {
        return virtualPath;
    }

    public final TransferState state() {
        return state;
    }

    /** The client closed the file: an upload is published, a download recorded. */
    public abstract void commit() throws IOException;

    /**
     * The connection went away before the client closed the file: nothing is published; the
     * storage keeps what it can resume. Never throws.
     *
     * @return whether something was kept for resuming
     */
    public abstract boolean suspend();

    /** Waits for the user's bandwidth to allow {@code length} more bytes. */
    protected final void pace(int length) throws IOException {
        if (pace != null) {
            pace.acquire(length);
        }
    }

    /** Counts bytes that moved at {@code position}, found in {@code buffer} from {@code start}, and digests them. */
    protected final void moved(long position, ByteBuffer buffer, int start, int length) {
        bytes += length;
        digest.update(position, buffer, start, length);
    }

    /** Marks the upload poisoned; it stays open until it ends. */
    protected final void failed() {
        if (state == TransferState.OPEN) {
            state = TransferState.FAILED;
        }
    }

    /**
     * Ends the transfer in a final state and leaves the session's open transfers, once: whether
     * this call ended it (a second end, say a lost connection after a failed CLOSE, does nothing).
     */
    protected final synchronized boolean end(TransferState last) {
        if (state.isFinal()) {
            return false;
        }
        state = last;
        session.transfers().ended(this);
        return true;
    }

    protected final long elapsedMs() {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }
}
