package dev.ferry.audit;

import dev.ferry.system.EmbeddedDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.Environment;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The append-only audit trail. Events from all sessions are written to PostgreSQL in batches, one
 * batch at a time and in queue order (group commit), each batch one transaction. Instances
 * sharing the database extend one hash chain: a unique index on the previous hash lets only one
 * of them extend it from a given record.
 * <p>
 * Callers that must not confirm an action before its record is durable (an upload's CLOSE, an
 * admin change) call {@link #appendAndWait}. Where that is depends on {@link AuditDurability}:
 * <ul>
 * <li><b>database</b>: the caller writes the queue itself and returns after the commit; callers
 * that arrive meanwhile share the next batch;</li>
 * <li><b>journal</b>: every record is appended to a local {@link AuditJournal} and the caller
 * returns after its fsync (shared the same way); a background thread ships the journal to
 * PostgreSQL and stores how far it got in the same transaction, and at start-up ships what a
 * crash left behind.</li>
 * </ul>
 */
@Service
public class AuditLog implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
    private static final int MAX_BATCH = 1000;
    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    /** A queued record; {@code seq} is its journal sequence number (0 without a journal). */
    private record Pending(AuditEvent event, long seq, CompletableFuture<Void> written) {
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final FileDigests digests;
    private final boolean enabled;
    /** Null when records are committed to PostgreSQL before they are confirmed. */
    private final AuditJournal journal;
    private final long shipIntervalNanos;

    /** Held while a batch is written: batches are written one at a time, in queue order. */
    private final ReentrantLock writing = new ReentrantLock();
    /** With a journal: a record's journal position and queue position are taken together. */
    private final Object appending = new Object();
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>(100_000);
    /** Completes when the last queued record is in PostgreSQL (and so is every one before it). */
    private volatile CompletableFuture<Void> lastQueued = CompletableFuture.completedFuture(null);
    private volatile Thread writer;
    private volatile boolean running;
    private final AtomicLong writeFailures = new AtomicLong();
    private final AtomicLong quarantined = new AtomicLong();
    /** With a journal: a batch was given up while stopping, so nothing after it may be shipped before the next start. */
    private volatile boolean shippingStopped;

    /**
     * @param enabled {@code sftp.audit.enabled}: false only to measure what auditing costs (the
     *                benchmark in bench/); a production server always audits
     */
    AuditLog(JdbcTemplate jdbc, FileDigests digests, @Value("${sftp.audit.enabled:true}") boolean enabled,
            AuditDurability durability, Environment environment) {
        this.jdbc = jdbc;
        // Plain JDBC transactions: the JPA transaction manager would open an EntityManager for
        // every batch, on the path of every upload's CLOSE.
        this.tx = new TransactionTemplate(new JdbcTransactionManager(jdbc.getDataSource()));
        this.digests = digests;
        this.enabled = enabled;
        this.shipIntervalNanos = durability.shipInterval().toNanos();
        if (!enabled) {
            log.warn("The audit trail is switched off (sftp.audit.enabled=false): nothing is recorded");
            this.journal = null;
        } else if (durability.usesJournal(EmbeddedDatabase.isSelected(environment))) {
            this.journal = openJournal(durability.journalDir());
            log.info("Audit records are confirmed once fsync'd in the journal {} and shipped to PostgreSQL within {}",
                    durability.journalDir().toAbsolutePath().normalize(), durability.shipInterval());
            shipLeftovers();
        } else {
            this.journal = null;
            log.info("Audit records are confirmed once committed in PostgreSQL");
        }
    }

    private static AuditJournal openJournal(Path dir) {
        try {
            return AuditJournal.open(dir);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot open the audit journal in " + dir.toAbsolutePath().normalize() + " (" + e
                    + "): make sftp.audit.journal-dir a writable directory of this instance, or set sftp.audit.durability=database", e);
        }
    }

    /** Queues an event; the future completes when its batch is committed in PostgreSQL. */
    public CompletableFuture<Void> append(AuditEvent event) {
        Pending pending;
        try {
            pending = enqueue(event);
        } catch (RuntimeException e) {
            // Nobody waits for this record: losing it must not fail the action it records.
            log.error("Could not record a {} audit event: {}", event.type(), e.toString());
            return CompletableFuture.failedFuture(e);
        }
        if (journal == null) {
            wakeWriter(pending);
        }
        return pending.written();
    }

    /**
     * Queues an event and returns once it is durable (see the class comment); throws if it could
     * not be made so.
     * <p>
     * Without a journal this is group commit without a hand-off: the caller takes the write lock
     * itself. While another caller (or the background writer) holds it, records queue up; the
     * next holder writes all of them in one batch and completes them, so the callers behind it
     * find theirs committed. A hand-off to the background writer and back cost as much as the
     * write itself on the path of every upload's CLOSE.
     */
    public void appendAndWait(AuditEvent event) {
        Pending pending = enqueue(event);
        if (journal != null) {
            try {
                journal.sync(pending.seq());
                return;
            } catch (UncheckedIOException e) {
                throw new IllegalStateException("the audit record could not be written", e);
            }
        }
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

    /**
     * Returns once every record queued before the call is in PostgreSQL (or after 10 s). Reads of
     * the trail call it first, so an answer includes everything this instance has confirmed.
     */
    public void flush() {
        CompletableFuture<Void> last = lastQueued;
        if (last.isDone()) {
            return;
        }
        Thread t = writer;
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

    private Pending enqueue(AuditEvent event) {
        if (!enabled) {
            return new Pending(event, 0, CompletableFuture.completedFuture(null));
        }
        AuditEvent fitted = fitted(event);
        if (journal == null) {
            return offer(new Pending(fitted, 0, new CompletableFuture<>()));
        }
        synchronized (appending) {
            return offer(new Pending(fitted, journal.append(fitted), new CompletableFuture<>()));
        }
    }

    private Pending offer(Pending pending) {
        if (!queue.offer(pending)) {
            log.error("Audit queue full: writing {} synchronously", pending.event().type());
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

    private void wakeWriter(Pending pending) {
        Thread t = writer;
        if (t != null && !pending.written().isDone()) {
            LockSupport.unpark(t);
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
     * Writes the records nobody waits for (and, with a journal, all of them): woken by
     * {@link #append} or {@link #flush}; with a journal every ship interval, else every 200 ms.
     */
    private void run() {
        while (running || !queue.isEmpty()) {
            if (queue.isEmpty() || journal != null) {
                LockSupport.parkNanos(journal != null ? shipIntervalNanos : IDLE_NANOS);
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
                } while (journal != null && !queue.isEmpty());
            } finally {
                writing.unlock();
            }
        }
    }

    /** The journal's records that a crash (or a failed database) kept from PostgreSQL, shipped before anything new. */
    private void shipLeftovers() {
        List<Long> marks = jdbc.queryForList("select shipped_seq from audit_journal_marks where journal_id = ?", Long.class,
                journal.id());
        long mark = marks.isEmpty() ? 0 : marks.get(0);
        List<AuditJournal.Entry> left;
        try {
            left = journal.unshipped(mark);
        } catch (IOException e) {
            throw new IllegalStateException("could not read the audit journal", e);
        }
        journal.continueAfter(mark);
        if (left.isEmpty()) {
            return;
        }
        log.info("Audit journal: shipping {} records that had not reached PostgreSQL", left.size());
        for (int from = 0; from < left.size(); from += MAX_BATCH) {
            List<Pending> batch = left.subList(from, Math.min(left.size(), from + MAX_BATCH)).stream()
                    .map(e -> new Pending(e.event(), e.seq(), new CompletableFuture<>())).toList();
            write(batch);
            for (Pending p : batch) {
                try {
                    p.written().join();
                } catch (java.util.concurrent.CompletionException e) {
                    if (!(e.getCause() instanceof RefusedRecordException)) {
                        // PostgreSQL is down or unreachable: the records stay in the journal, the start fails.
                        throw new IllegalStateException("could not ship the audit journal to PostgreSQL", e.getCause());
                    }
                }
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
    private void write(List<Pending> batch) {
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
     * interrupted meanwhile.
     */
    private boolean writeIsolating(List<Pending> batch) {
        boolean interrupted = false;
        for (int attempt = 1; ; attempt++) {
            interrupted |= Thread.interrupted();
            if (journal != null && shippingStopped) {
                // An earlier batch is kept in the journal for the next start: nothing may overtake it.
                batch.forEach(p -> p.written().completeExceptionally(new IllegalStateException("audit shipping stopped")));
                return interrupted;
            }
            try {
                insert(batch);
                batch.forEach(p -> p.written().complete(null));
                releaseJournal(batch.get(batch.size() - 1).seq());
                return interrupted;
            } catch (RuntimeException e) {
                head = null;
                if (e instanceof DuplicateKeyException && String.valueOf(e.getMessage()).contains("audit_events_prev_hash")) {
                    // Another instance extended the chain from the same record: continue from its end.
                    attempt--;
                    continue;
                }
                writeFailures.incrementAndGet();
                String refusal = DatabaseRefusal.of(e);
                if (refusal != null && batch.size() > 1) {
                    int half = batch.size() / 2;
                    interrupted |= writeIsolating(batch.subList(0, half));
                    interrupted |= writeIsolating(batch.subList(half, batch.size()));
                    return interrupted;
                }
                if (refusal != null && attempt >= 2) {
                    // Refused twice on its own: the record itself, not a passing conflict.
                    try {
                        quarantine(batch.get(0), refusal);
                        return interrupted;
                    } catch (RuntimeException q) {
                        e = q;
                    }
                }
                // With a journal the batch is retried until PostgreSQL takes it: the records after it
                // must not overtake it (the shipped mark would pass it). When stopping, they stay in
                // the journal and are shipped at the next start.
                if (attempt >= 3 && (journal == null || !running)) {
                    log.error("Could not write {} audit records to PostgreSQL{}: {}", batch.size(),
                            journal == null ? "" : " (kept in the journal for the next start)", e.toString());
                    if (journal != null) {
                        shippingStopped = true;
                    }
                    for (Pending p : batch) {
                        p.written().completeExceptionally(e);
                    }
                    return interrupted;
                }
                log.warn("Audit write failed (attempt {}), retrying: {}", attempt, e.toString());
                interrupted |= pause(Math.min(200L * attempt, 5_000L));
            }
        }
    }

    private void insert(List<Pending> batch) {
        if (batch.size() == 1 && journal == null) {
            // One statement is atomic on its own: no transaction, one round trip.
            head = insertChained(batch);
            return;
        }
        tx.executeWithoutResult(status -> {
            String written = insertChained(batch);
            if (journal != null) {
                markShipped(batch.get(batch.size() - 1).seq());
            }
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCompletion(int completion) {
                    head = completion == STATUS_COMMITTED ? written : null;
                }
            });
        });
    }

    private void markShipped(long seq) {
        jdbc.update("insert into audit_journal_marks (journal_id, shipped_seq) values (?, ?) "
                + "on conflict (journal_id) do update set shipped_seq = excluded.shipped_seq, updated_at = now()", journal.id(), seq);
    }

    /**
     * Sets aside a record PostgreSQL refuses: stored apart from the trail (and outside its hash
     * chain) with the reason, its text escaped and its exact bytes, in the same transaction as the
     * journal's shipped mark, so it is neither lost nor retried forever. Said once, at ERROR.
     */
    private void quarantine(Pending pending, String refusal) {
        AuditEvent event = pending.event();
        String record = AuditText.escaped(event.toString());
        String reason = AuditText.escaped(refusal);
        try {
            tx.executeWithoutResult(status -> {
                jdbc.update("insert into audit_quarantine (journal_id, journal_seq, error, record, raw) values (?, ?, ?, ?, ?)",
                        journal == null ? null : journal.id(), journal == null ? null : pending.seq(), reason, record,
                        AuditEventCodec.encode(event));
                if (journal != null) {
                    markShipped(pending.seq());
                }
            });
        } catch (RuntimeException e) {
            if (DatabaseRefusal.of(e) == null || journal == null) {
                throw e;
            }
            // Not even the quarantine takes it: the log line below is all that is left of it.
            tx.executeWithoutResult(status -> markShipped(pending.seq()));
        }
        quarantined.incrementAndGet();
        log.error("PostgreSQL refused an audit record ({}); it was set aside in audit_quarantine and the records after it are "
                + "written. The record: {}", reason, record);
        pending.written().completeExceptionally(new RefusedRecordException("PostgreSQL refused the audit record: " + reason));
        releaseJournal(pending.seq());
    }

    /** A record PostgreSQL refused, set aside in {@code audit_quarantine}. */
    static final class RefusedRecordException extends IllegalStateException {

        RefusedRecordException(String message) {
            super(message);
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

    private void releaseJournal(long shippedSeq) {
        if (journal != null) {
            journal.shipped(shippedSeq);
        }
    }

    /**
     * Inserts one record and, for a whole-file upload, stores its digest, in one statement: one
     * round trip on the path of every upload's CLOSE.
     */
    private static final String INSERT = "with ins as (insert into audit_events (" + AuditFields.EVENT.columns() + ", prev_hash, hash) "
            + "values (" + AuditFields.EVENT.placeholders() + ", ?, ?) "
            + "returning username, path, sha256, bytes, ts, type, status) "
            + "insert into file_digests (user_id, path, sha256, size, modified_at) "
            + "select u.id, ins.path, ins.sha256, coalesce(ins.bytes, 0), ins.ts from ins join users u on lower(u.username) = lower(ins.username) "
            + "where ins.type = 'UPLOAD' and ins.status = 'OK' and ins.sha256 is not null and ins.path is not null "
            + "and strpos(ins.path, chr(92) || 'u') = 0 " // see FileDigests.apply: no digest under a path that may be escaped
            + "on conflict (user_id, path) do update set sha256 = excluded.sha256, size = excluded.size, modified_at = excluded.modified_at";

    /**
     * The last hash this instance wrote. The chain is extended from it without asking the table;
     * if another instance extended it meanwhile, the unique index on prev_hash refuses the
     * insert and the batch is retried from the table's last record.
     */
    private volatile String head;

    /**
     * Writes the batch after the chain's end and returns the new end. Consecutive records go out
     * as one JDBC batch; a record that changes other files' digests (rename, delete) is applied
     * in its place, so digests follow the records' order.
     */
    private String insertChained(List<Pending> batch) {
        String previous = head;
        if (previous == null) {
            previous = lastHash();
        }
        List<Object[]> rows = new ArrayList<>();
        for (Pending p : batch) {
            AuditEvent e = p.event();
            String hash = AuditChain.hash(previous, e);
            rows.add(row(e, previous, hash));
            previous = hash;
            if (FileDigests.changedBeyondTheInsert(e)) {
                insertRows(rows);
                digests.apply(e);
            }
        }
        insertRows(rows);
        return previous;
    }

    private void insertRows(List<Object[]> rows) {
        if (rows.size() == 1) {
            jdbc.update(INSERT, rows.get(0));
        } else if (!rows.isEmpty()) {
            jdbc.batchUpdate(INSERT, rows);
        }
        rows.clear();
    }

    private String lastHash() {
        List<String> last = jdbc.queryForList("select hash from audit_events order by id desc limit 1", String.class);
        return last.isEmpty() ? AuditChain.GENESIS : last.get(0);
    }

    private static Object[] row(AuditEvent e, String previous, String hash) {
        Object[] fields = AuditFields.EVENT.toSql(e);
        Object[] row = Arrays.copyOf(fields, fields.length + 2);
        row[fields.length] = previous;
        row[fields.length + 1] = hash;
        return row;
    }

    /**
     * The event as it is stored: every text with its control characters escaped (see
     * {@link AuditText}: PostgreSQL refuses a NUL, and a forged line break misleads whoever reads
     * the trail), then cut to the column sizes, so the hash covers exactly what is stored. Every
     * record passes here: SFTP and admin API alike.
     */
    static AuditEvent fitted(AuditEvent e) {
        return AuditFields.EVENT.fitted(e);
    }

    @Override
    public void start() {
        running = true;
        writer = new Thread(this::run, "audit-writer");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public void stop() {
        running = false;
        Thread t = writer;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (journal != null) {
            try {
                journal.close();
            } catch (IOException e) {
                log.warn("Could not close the audit journal: {}", e.toString());
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /**
     * Stops after everything that writes events: the SFTP server (default phase) and the web
     * server, whose graceful shutdown (phase {@code MAX_VALUE - 1024}, then {@code - 2048}) still
     * finishes admin requests; so their last records are shipped and the journal closed last.
     */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 4096;
    }
}
