package dev.ferry.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * What the audit journal's callers and its I/O thread ({@link JournalWriter}) share, under one
 * lock: the entries numbered but not yet durable, how far the journal is fsync'd and shipped, the
 * last failure, and whether it is closing. Callers number and queue entries and wait here; the
 * I/O thread takes the work and reports back. No I/O happens here.
 */
final class JournalQueue {

    /** Entries waiting for the disk beyond this are refused: a journal that cannot write must not fill the heap. */
    private static final int MAX_QUEUED = 100_000;

    /** An entry numbered and waiting to be written and fsync'd. */
    record Queued(long seq, ByteBuffer bytes) {
    }

    /** What the I/O thread is to do: write and fsync {@code batch}, jump numbering past {@code skip} (0: no), act on {@code ship}. */
    record Work(List<Queued> batch, long ship, long skip) {
    }

    private final Path dir;
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled for the I/O thread: entries, a shipped mark or closing. */
    private final Condition work = lock.newCondition();
    /** Signalled by the I/O thread after every attempt, successful or not. */
    private final Condition progress = lock.newCondition();
    /** Entries numbered but not yet durable, in order; removed once fsync'd. */
    private final ArrayDeque<Queued> queued = new ArrayDeque<>();
    /** The last number given out. */
    private long lastSeq;
    /** Every entry up to this one is on stable storage. */
    private long syncedSeq;
    /** Failed write attempts so far, and the last entry the latest of them covered. */
    private long failures;
    private long failedSeq;
    private Exception failure;
    /** Everything up to this is in PostgreSQL (see {@link #shipped}); and what the I/O thread has acted on. */
    private long shippedSeq;
    private long shippedHandled;
    /** Numbering jumped past PostgreSQL's shipped mark at start (see {@link #continueAfter}); 0 when done. */
    private long skipTo;
    private boolean closing;
    /** The I/O thread has ended (after {@link #close}). */
    private boolean finished;

    /** @param lastSeq the last entry found in the journal at open: numbering continues after it */
    JournalQueue(Path dir, long lastSeq) {
        this.dir = dir;
        this.lastSeq = lastSeq;
        this.syncedSeq = lastSeq;
    }

    // ---- callers ------------------------------------------------------------------------

    /** Numbers an entry and queues it for the I/O thread; returns its number. */
    long append(byte[] payload) {
        return locked(() -> {
            if (closing) {
                throw new IllegalStateException("the audit journal " + dir + " is closed");
            }
            if (queued.size() >= MAX_QUEUED) {
                throw new IllegalStateException("the audit journal " + dir + " is " + queued.size()
                        + " records behind, the disk does not take them: " + failure);
            }
            long seq = ++lastSeq;
            queued.add(new Queued(seq, JournalFormat.entry(seq, payload)));
            work.signal();
            return seq;
        });
    }

    /**
     * Returns once every entry up to {@code seq} is on stable storage, waiting through interrupts.
     *
     * @throws UncheckedIOException when an attempt to write the entry failed while the caller waited
     */
    void sync(long seq) {
        locked(() -> {
            long seenFailures = failures;
            while (syncedSeq < seq) {
                if (failures != seenFailures && failedSeq >= seq) {
                    throw new UncheckedIOException("could not write the audit journal in " + dir,
                            failure instanceof IOException io ? io : new IOException(String.valueOf(failure), failure));
                }
                if (finished) {
                    throw new UncheckedIOException(new IOException("the audit journal " + dir + " is closed"));
                }
                progress.awaitUninterruptibly();
            }
        });
    }

    /** Numbering continues after {@code shippedSeq} if that is beyond the last entry (only before the first append). */
    void continueAfter(long shippedSeq) {
        locked(() -> {
            if (shippedSeq > lastSeq) {
                if (!queued.isEmpty()) {
                    throw new IllegalStateException("the audit journal's numbering can only be moved before the first append");
                }
                lastSeq = shippedSeq;
                syncedSeq = shippedSeq;
                skipTo = shippedSeq;
                work.signal();
            }
        });
    }

    /** Everything up to {@code seq} is in PostgreSQL. */
    void shipped(long seq) {
        locked(() -> {
            if (seq > shippedSeq) {
                shippedSeq = seq;
                work.signal();
            }
        });
    }

    /** Waits until the I/O thread has written everything appended and acted on every shipped mark. */
    void settle() {
        locked(() -> {
            while (!queued.isEmpty() || shippedHandled < shippedSeq || skipTo != 0) {
                if (finished) {
                    throw new IllegalStateException("the audit journal " + dir + " is closed");
                }
                progress.awaitUninterruptibly();
            }
        });
    }

    /** Refuses further entries; the I/O thread writes what is queued and ends. */
    void close() {
        locked(() -> {
            closing = true;
            work.signal();
        });
    }

    /** The last failure to write, for messages. */
    Exception failure() {
        return locked(() -> failure);
    }

    // ---- the I/O thread -----------------------------------------------------------------

    /** Waits for work; null once the journal is closing and nothing is left to write. */
    Work next() {
        return locked(() -> {
            while (queued.isEmpty() && shippedHandled == shippedSeq && skipTo == 0 && !closing) {
                work.awaitUninterruptibly();
            }
            if (closing && queued.isEmpty() && skipTo == 0) {
                return null;
            }
            return new Work(new ArrayList<>(queued), shippedSeq, skipTo);
        });
    }

    boolean closing() {
        return locked(() -> closing);
    }

    /** The work's entries are durable (and its numbering jump made). */
    void synced(Work done) {
        locked(() -> {
            if (done.skip() != 0 && skipTo == done.skip()) {
                skipTo = 0;
            }
            for (int i = 0; i < done.batch().size(); i++) {
                queued.poll();
            }
            if (!done.batch().isEmpty()) {
                syncedSeq = Math.max(syncedSeq, done.batch().get(done.batch().size() - 1).seq());
            }
            progress.signalAll();
        });
    }

    /** Writing the work failed: callers waiting for its entries are told; the I/O thread tries again. */
    void failed(Work attempted, Throwable e) {
        locked(() -> {
            failures++;
            failedSeq = attempted.batch().isEmpty() ? syncedSeq : attempted.batch().get(attempted.batch().size() - 1).seq();
            failure = e instanceof Exception ex ? ex : new IllegalStateException(e);
            progress.signalAll();
        });
    }

    /** The I/O thread has acted on the shipped mark {@code ship}. */
    void handled(long ship) {
        locked(() -> {
            shippedHandled = Math.max(shippedHandled, ship);
            progress.signalAll();
        });
    }

    /** The I/O thread has ended: nothing more will be written. */
    void finished() {
        locked(() -> {
            finished = true;
            progress.signalAll();
        });
    }

    /** Runs {@code action} holding the lock: every method above is one such critical section. */
    private void locked(Runnable action) {
        lock.lock();
        try {
            action.run();
        } finally {
            lock.unlock();
        }
    }

    private <T> T locked(Supplier<T> action) {
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }
}
