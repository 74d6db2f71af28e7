package dev.ferry.sftp.transfer;

import dev.ferry.shared.ForwardingChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;

/** A download channel paced to the user's download bandwidth. */
public final class PacedChannel extends ForwardingChannel {

    private final RateLimiter limiter;

    public PacedChannel(SeekableByteChannel delegate, RateLimiter limiter) {
        super(delegate);
        this.limiter = limiter;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        int read = delegate.read(dst);
        if (read > 0) {
            limiter.acquire(read);
        }
        return read;
    }
}
