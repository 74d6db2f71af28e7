package dev.ferry.sftp.transfer;

import java.util.concurrent.locks.LockSupport;

/**
 * Paces a stream to a number of bytes per second: each caller books its bytes on a shared
 * timeline and sleeps until its booking starts. Shared by all sessions of one user on this
 * instance, so parallel sessions do not multiply the limit.
 */
final class RateLimiter {

    private final long bytesPerSecond;
    private long nextFreeNanos = System.nanoTime();

    RateLimiter(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
    }

    long bytesPerSecond() {
        return bytesPerSecond;
    }

    void acquire(long bytes) throws java.io.InterruptedIOException {
        long wait;
        synchronized (this) {
            long now = System.nanoTime();
            // No allowance is saved up while idle: a transfer never bursts above the limit.
            nextFreeNanos = Math.max(nextFreeNanos, now);
            wait = nextFreeNanos - now;
            nextFreeNanos += bytes * 1_000_000_000L / bytesPerSecond;
        }
        if (wait > 0) {
            LockSupport.parkNanos(wait);
            if (Thread.interrupted()) {
                throw new java.io.InterruptedIOException("transfer interrupted");
            }
        }
    }
}
