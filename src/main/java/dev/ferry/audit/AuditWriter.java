package dev.ferry.audit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;

/**
 * Writes queued records to PostgreSQL ({@link AuditStore}) in batches, one batch at a time and
 * in queue order (group commit): on the thread of a caller that waits for its record, or on the
 * background writer thread. A failed batch is retried ({@link RetryTemplate}); a record
 * PostgreSQL refuses as such is isolated and set aside so the others go on.
 */
final class AuditWriter {

    private static final Logger log = LoggerFactory.getLogger(AuditWriter.class);
    private static final int MAX_BATCH = 1000;
    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** With a journal, between rounds of attempts while PostgreSQL does not take a batch. */
    private static final long ROUND_PAUSE_MILLIS = 5_000;

    /** A queued record; {@code seq} is its journal number (0 without a journal). */
    record Pending(AuditEvent event, long seq, CompletableFuture<Void> written) {
    }

    /** A record PostgreSQL refused, set aside in {@code audit_quarantine}. */
    static final class RefusedRecordException extends IllegalStateException {

        RefusedRecordException(String message) {
            super(message);
        }
    }

    /**
     * Three attempts, 200 ms and 400 ms apart. A batch PostgreSQL refuses as such is not tried
     * again but split at once; a record alone is, the refusal may have been a passing conflict.
     */
    private static final RetryTemplate RETRY_BATCH = retrying(RetryPolicy.builder().predicate(e -> DatabaseRefusal.of(e) == null));
    private static final RetryTemplate RETRY_RECORD = retrying(RetryPolicy.builder());

    private static RetryTemplate retrying(RetryPolicy.Builder policy) {
        return new RetryTemplate(policy.maxRetries(2).delay(Duration.ofMillis(200)).multiplier(2).build());
    }

    private final AuditStore store;
    /** Null when records are committed to PostgreSQL before they are confirmed. */
    private final AuditShipper shipper;

    /** Held while a batch is written: batches are written one at a time, in queue order. */
    private final ReentrantLock writing = new ReentrantLock();
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>(100_000);
    /** Completes when the last queued record is in PostgreSQL (and so is every one before it). */
    private volatile CompletableFuture<Void> lastQueued = CompletableFuture.completedFuture(null);
    private volatile Thread thread;
    private volatile boolean running;
    private final AtomicLong writeFailures = new AtomicLong();
    private final AtomicLong quarantined = new AtomicLong();

    AuditWriter(AuditStore store, AuditShipper shipper) {
        this.store = store;
        this.shipper = shipper;
    }

    /** Queues a record (written synchronously, after everything queued, if the queue is full). */
    Pending offer(AuditEvent event, long seq) {
        Pending pending = new Pending(event, seq, new CompletableFuture<>());
        if (!queue.offer(pending)) {
            log.error("Audit queue full: writing {} synchronously", event.type());
            writing.lock();
            try {
                while (!queue.isEmpty()) {
                    writeQueued();   // what is queued goes first: the chain keeps the order of events
                }
                write(List.of(pending));
            } finally {
                writing.unlock();
            }
        }
        lastQueued = pending.written();
        return pending;
    }

    /** Without a journal: lets the writer thread take a record nobody waits for. */
    void wake(Pending pending) {
        Thread t = thread;
        if (t != null && !pending.written().isDone()) {
            LockSupport.unpark(t);
        }
    }

    /**
     * Returns once {@code pending} is in PostgreSQL; throws if it could not be written. This is
     * group commit without a hand-off: the caller takes the write lock itself. While another
     * caller (or the writer thread) holds it, records queue up; the next holder writes all of them
     * in one batch and completes them, so the callers behind it find theirs committed. A hand-off
     * to the writer thread and back cost as much as the write itself on the path of every
     * upload's CLOSE.
     */
    void writeAndWait(Pending pending) {
        while (!pending.written().isDone()) {
            writing.lock();
            try {
                if (!pending.written().isDone()) {
                    writeQueued();
                }
            } finally {
                writing.unlock();
            }
        }
        try {
            pending.written().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing the audit record", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the audit record could not be written", e);
        }
    }

    /** Returns once every record queued before the call is in PostgreSQL (or after 10 s). */
    void flush() {
        CompletableFuture<Void> last = lastQueued;
        if (last.isDone()) {
            return;
        }
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
        try {
            last.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("Audit records are still on their way to PostgreSQL: {}", e.toString());
        }
    }

    /** Writes what is queued, up to one batch; the caller holds {@link #writing}. */
    private void writeQueued() {
        List<Pending> batch = new ArrayList<>();
        queue.drainTo(batch, MAX_BATCH);
        if (!batch.isEmpty()) {
            write(batch);
        }
    }

    /**
     * The writer thread: writes the records nobody waits for (and, with a journal, all of them),
     * woken by {@link #wake} or {@link #flush}; with a journal every ship interval, else every 200 ms.
     */
    private void run() {
        long idle = shipper != null ? shipper.interval().toNanos() : IDLE_NANOS;
        while (running || !queue.isEmpty()) {
            if (queue.isEmpty() || shipper != null) {
                LockSupport.parkNanos(idle);
                if (Thread.interrupted()) {
                    return;
                }
                if (queue.isEmpty()) {
                    continue;
                }
            }
            writing.lock();
            try {
                do {
                    writeQueued();
                } while (shipper != null && !queue.isEmpty());
            } finally {
                writing.unlock();
            }
        }
    }

    /**
     * Writes a batch in order, one transaction (with the journal: and the shipped mark). Runs on
     * whichever thread calls it, with {@code database} durability an upload's CLOSE: MINA
     * interrupts that thread when the client goes away, and the batch holds other sessions'
     * records too, so an interrupt must cost nothing here. The interrupt status is put aside while
     * writing (JDBC and the pauses between attempts would fail on it) and restored afterwards.
     */
    void write(List<Pending> batch) {
        boolean interrupted = Thread.interrupted();
        try {
            interrupted |= writeIsolating(batch);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Writes the batch, retrying what may pass (a lost connection, a database that is down). A
     * record PostgreSQL refuses as such (a data error: see {@link DatabaseRefusal}) must not hold
     * back the others: the batch is split in halves until the refused record stands alone, and
     * that one is set aside in {@code audit_quarantine}. Returns whether the thread was
     * interrupted meanwhile: an interrupt during a pause ends a round of attempts early, and the
     * next round begins at once.
     */
    private boolean writeIsolating(List<Pending> batch) {
        boolean[] interrupted = {false};
        List<AuditEvent> records = batch.stream().map(Pending::event).toList();
        long last = batch.get(batch.size() - 1).seq();
        while (true) {
            if (shipper != null && shipper.stopped()) {
                // An earlier batch is kept in the journal for the next start: nothing may overtake it.
                batch.forEach(p -> p.written().completeExceptionally(new IllegalStateException("audit shipping stopped")));
                return interrupted[0];
            }
            RuntimeException failure;
            try {
                (batch.size() == 1 ? RETRY_RECORD : RETRY_BATCH).invoke(() -> {
                    interrupted[0] |= Thread.interrupted();
                    try {
                        store.append(records, shipper == null ? null : shipper.mark(last));
                    } catch (RuntimeException e) {
                        writeFailures.incrementAndGet();
                        throw e;
                    }
                });
                batch.forEach(p -> p.written().complete(null));
                shipped(last);
                return interrupted[0];
            } catch (RuntimeException e) {
                failure = e; // the last attempt's
            }
            if (Thread.interrupted()) {
                interrupted[0] = true;
                continue;
            }
            String refusal = DatabaseRefusal.of(failure);
            if (refusal != null && batch.size() > 1) {
                int half = batch.size() / 2;
                interrupted[0] |= writeIsolating(batch.subList(0, half));
                interrupted[0] |= writeIsolating(batch.subList(half, batch.size()));
                return interrupted[0];
            }
            if (refusal != null) {
                try {
                    quarantine(batch.get(0), refusal);
                    return interrupted[0];
                } catch (RuntimeException q) {
                    failure = q;
                }
            }
            // With a journal the batch is tried again until PostgreSQL takes it: the records after it
            // must not overtake it (the shipped mark would pass it). When stopping, they stay in
            // the journal and are shipped at the next start.
            if (shipper == null || !running) {
                log.error("Could not write {} audit records to PostgreSQL{}: {}", batch.size(),
                        shipper == null ? "" : " (kept in the journal for the next start)", failure.toString());
                if (shipper != null) {
                    shipper.stop();
                }
                for (Pending p : batch) {
                    p.written().completeExceptionally(failure);
                }
                return interrupted[0];
            }
            log.warn("Could not write {} audit records to PostgreSQL ({}); they are safe in the journal, trying again in {} s",
                    batch.size(), failure.toString(), ROUND_PAUSE_MILLIS / 1000);
            interrupted[0] |= pause(ROUND_PAUSE_MILLIS);
        }
    }

    private void quarantine(Pending pending, String refusal) {
        store.quarantine(pending.event(), refusal, shipper == null ? null : shipper.mark(pending.seq()));
        quarantined.incrementAndGet();
        pending.written().completeExceptionally(new RefusedRecordException("PostgreSQL refused the audit record: " + refusal));
        shipped(pending.seq());
    }

    private void shipped(long seq) {
        if (shipper != null) {
            shipper.shipped(seq);
        }
    }

    /** Sleeps, not cut short by an interrupt; returns whether there was one. */
    private static boolean pause(long millis) {
        boolean interrupted = false;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
            interrupted |= Thread.interrupted();
        }
        return interrupted;
    }

    /** Records queued on this instance that PostgreSQL does not have yet. */
    double pending() {
        return queue.size();
    }

    /** Failed attempts to write a batch to PostgreSQL since start. */
    double writeFailures() {
        return writeFailures.get();
    }

    /** Records PostgreSQL refused and that were set aside in {@code audit_quarantine}, since start. */
    double quarantined() {
        return quarantined.get();
    }

    void start() {
        running = true;
        thread = new Thread(this::run, "audit-writer");
        thread.setDaemon(true);
        thread.start();
    }

    /** Writes what is queued (with a journal: trying each batch a last round), then ends the writer thread. */
    void stop() {
        running = false;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
