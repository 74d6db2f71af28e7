package dev.ferry.audit;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The append-only audit trail. Events from all sessions are written in batches, one at a time
 * and in queue order (group commit): a batch is one transaction, so auditing costs little per
 * event. Events nobody waits for are written by a background thread; callers that must not
 * confirm an action before its record is committed (an upload's CLOSE) write the queue
 * themselves with {@link #appendAndWait}. Instances sharing the database extend one hash chain: a
 * unique index on the previous hash lets only one of them extend it from a given record.
 */
@Service
public class AuditLog implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
    private static final int MAX_BATCH = 1000;

    private record Pending(AuditEvent event, CompletableFuture<Void> written) {
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final FileDigests digests;
    /** Held while a batch is written: batches are written one at a time, in queue order. */
    private final java.util.concurrent.locks.ReentrantLock writing = new java.util.concurrent.locks.ReentrantLock();
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>(100_000);
    private volatile Thread writer;
    private volatile boolean running;

    private final boolean enabled;

    /**
     * @param enabled {@code sftp.audit.enabled}: false only to measure what auditing costs (the
     *                benchmark in bench/); a production server always audits
     */
    AuditLog(JdbcTemplate jdbc, FileDigests digests,
            @org.springframework.beans.factory.annotation.Value("${sftp.audit.enabled:true}") boolean enabled) {
        this.jdbc = jdbc;
        // Plain JDBC transactions: the JPA transaction manager would open an EntityManager for
        // every batch, on the path of every upload's CLOSE.
        this.tx = new TransactionTemplate(new org.springframework.jdbc.support.JdbcTransactionManager(jdbc.getDataSource()));
        this.digests = digests;
        this.enabled = enabled;
        if (!enabled) {
            log.warn("The audit trail is switched off (sftp.audit.enabled=false): nothing is recorded");
        }
    }

    /** Queues an event; the future completes when its batch is committed (within a moment: see {@link #run}). */
    public CompletableFuture<Void> append(AuditEvent event) {
        CompletableFuture<Void> written = enqueue(event);
        Thread t = writer;
        if (t != null && !written.isDone()) {
            java.util.concurrent.locks.LockSupport.unpark(t);
        }
        return written;
    }

    /**
     * Queues an event and returns once it is committed; throws if it could not be written.
     * <p>
     * Group commit without a hand-off: the caller takes the write lock itself. While another
     * caller (or the background writer) holds it, records queue up; the next holder writes all of
     * them in one batch and completes them, so the callers behind it find theirs committed. The
     * background writer is not woken for these records: a hand-off to it and back cost as much
     * as the write itself on the path of every upload's CLOSE.
     */
    public void appendAndWait(AuditEvent event) {
        CompletableFuture<Void> written = enqueue(event);
        while (!written.isDone()) {
            writing.lock();
            try {
                if (!written.isDone()) {
                    writeQueued();
                }
            } finally {
                writing.unlock();
            }
        }
        try {
            written.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing the audit record", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the audit record could not be written", e);
        }
    }

    private CompletableFuture<Void> enqueue(AuditEvent event) {
        if (!enabled) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> written = new CompletableFuture<>();
        if (!queue.offer(new Pending(event, written))) {
            log.error("Audit queue full: writing {} synchronously", event.type());
            writing.lock();
            try {
                writeQueued();   // what is queued goes first: the chain keeps the order of events
                write(List.of(new Pending(event, written)));
            } finally {
                writing.unlock();
            }
        }
        return written;
    }

    /** Writes what is queued, up to one batch; the caller holds {@link #writing}. */
    private void writeQueued() {
        List<Pending> batch = new ArrayList<>();
        queue.drainTo(batch, MAX_BATCH);
        if (!batch.isEmpty()) {
            write(batch);
        }
    }

    /** Writes the events nobody waits for: woken by {@link #append}, and every 200 ms. */
    private void run() {
        while (running || !queue.isEmpty()) {
            if (queue.isEmpty()) {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
                if (Thread.interrupted()) {
                    return;
                }
                continue;
            }
            writing.lock();
            try {
                writeQueued();
            } finally {
                writing.unlock();
            }
        }
    }

    private void write(List<Pending> batch) {
        for (int attempt = 1; ; attempt++) {
            try {
                if (batch.size() == 1) {
                    // One statement is atomic on its own: no transaction, one round trip.
                    head = insertChained(batch);
                } else {
                    tx.executeWithoutResult(status -> {
                        String written = insertChained(batch);
                        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                            @Override
                            public void afterCompletion(int completion) {
                                head = completion == STATUS_COMMITTED ? written : null;
                            }
                        });
                    });
                }
                batch.forEach(p -> p.written().complete(null));
                return;
            } catch (RuntimeException e) {
                head = null;
                if (e instanceof org.springframework.dao.DuplicateKeyException && String.valueOf(e.getMessage()).contains("audit_events_prev_hash")) {
                    // Another instance extended the chain from the same record: continue from its end.
                    head = null;
                    attempt--;
                    continue;
                }
                if (attempt >= 3) {
                    log.error("Could not write {} audit records: {}", batch.size(), e.toString());
                    batch.forEach(p -> p.written().completeExceptionally(e));
                    return;
                }
                log.warn("Audit write failed (attempt {}), retrying: {}", attempt, e.toString());
                try {
                    Thread.sleep(200L * attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    batch.forEach(p -> p.written().completeExceptionally(ie));
                    return;
                }
            }
        }
    }

    /**
     * Inserts one record and, for a whole-file upload, stores its digest, in one statement: one
     * round trip on the path of every upload's CLOSE.
     */
    private static final String INSERT = "with ins as (insert into audit_events (ts, type, username, remote_address, session_id, "
            + "path, target_path, bytes, duration_ms, sha256, status, detail, key_fingerprint, client_version, etag, version_id, "
            + "prev_hash, hash) values (?::timestamptz, ?, ?, ?, ?, ?, ?, ?::bigint, ?::bigint, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            + "returning username, path, sha256, bytes, ts, type, status), "
            + "dig as (insert into file_digests (user_id, path, sha256, size, modified_at) "
            + "select u.id, ins.path, ins.sha256, coalesce(ins.bytes, 0), ins.ts from ins join users u on lower(u.username) = lower(ins.username) "
            + "where ins.type = 'UPLOAD' and ins.status = 'OK' and ins.sha256 is not null and ins.path is not null "
            + "on conflict (user_id, path) do update set sha256 = excluded.sha256, size = excluded.size, modified_at = excluded.modified_at) "
            + "select count(*) from ins";

    /**
     * The last hash this instance wrote. The chain is extended from it without asking the table;
     * if another instance extended it meanwhile, the unique index on prev_hash refuses the
     * insert and the batch is retried from the table's last record.
     */
    private volatile String head;

    /** Writes the batch after the chain's end and returns the new end. */
    private String insertChained(List<Pending> batch) {
        String previous = head;
        if (previous == null) {
            previous = lastHash();
        }
        for (Pending p : batch) {
            AuditEvent e = fitted(p.event());
            String hash = AuditChain.hash(previous, e);
            jdbc.queryForObject(INSERT, Long.class, row(e, previous, hash).toArray());
            previous = hash;
            if (!(e.type() == AuditType.UPLOAD && e.sha256() != null)) {
                digests.apply(e);
            }
        }
        return previous;
    }

    private String lastHash() {
        List<String> last = jdbc.queryForList("select hash from audit_events order by id desc limit 1", String.class);
        return last.isEmpty() ? AuditChain.GENESIS : last.get(0);
    }

    private static List<Object> row(AuditEvent e, String previous, String hash) {
        return java.util.Arrays.asList(Timestamp.from(e.timestamp()), e.type().name(), e.username(), e.remoteAddress(),
                e.sessionId(), e.path(), e.targetPath(), e.bytes(), e.durationMs(), e.sha256(), e.status(), e.detail(),
                e.keyFingerprint(), e.clientVersion(), e.etag(), e.versionId(), previous, hash);
    }

    /** The event cut to the column sizes, so the hash covers exactly what is stored. */
    static AuditEvent fitted(AuditEvent e) {
        return new AuditEvent(e.timestamp(), e.type(), cut(e.username(), 64), cut(e.remoteAddress(), 64), cut(e.sessionId(), 32),
                cut(e.path(), 4096), cut(e.targetPath(), 4096), e.bytes(), e.durationMs(), cut(e.sha256(), 64), cut(e.status(), 255),
                cut(e.detail(), 4096), cut(e.keyFingerprint(), 64), cut(e.clientVersion(), 255), cut(e.etag(), 255),
                cut(e.versionId(), 1024));
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
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
            java.util.concurrent.locks.LockSupport.unpark(t);
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops after the SFTP server (which writes events), so their last records are flushed. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 100;
    }
}
