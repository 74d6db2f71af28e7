package dev.ferry.audit;

import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * The append-only audit trail: what the rest of Ferry records events with. Every record is
 * fitted to what is stored ({@link AuditFields#fitted}), queued, and written to PostgreSQL in
 * batches by the {@link AuditWriter} into the hash chain kept by the {@link AuditStore}.
 * <p>
 * Callers that must not confirm an action before its record is durable (an upload's CLOSE, an
 * admin change) call {@link #appendAndWait}. Where that is depends on {@link AuditDurability}:
 * <ul>
 * <li><b>database</b>: the caller writes the queue itself and returns after the commit; callers
 * that arrive meanwhile share the next batch;</li>
 * <li><b>journal</b>: every record is appended to a local {@link AuditJournal} and the caller
 * returns after its fsync (shared the same way); the {@link AuditShipper} has the writer ship the
 * journal to PostgreSQL and store how far it got in the same transaction, and at start-up ships
 * what a crash left behind.</li>
 * </ul>
 */
@Service
public class AuditLog implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);

    private final boolean enabled;
    private final AuditWriter writer;
    /** Null when records are committed to PostgreSQL before they are confirmed. */
    private final AuditShipper shipper;
    private volatile boolean running;

    AuditLog(JdbcTemplate jdbc, FileDigests digests, AuditDurability durability, ObjectProvider<LocalDatabase> localDatabase,
            Environment environment) {
        this.enabled = enabled(environment);
        AuditStore store = new AuditStore(jdbc, digests);
        if (!enabled) {
            log.warn("The audit trail is switched off (sftp.audit.enabled=false in the bench profile): nothing is recorded");
            this.shipper = null;
        } else if (durability.usesJournal(localDatabase.getIfAvailable() != null)) {
            this.shipper = AuditShipper.open(durability.journalDir(), durability.shipInterval());
            log.info("Audit records are confirmed once fsync'd in the journal {} and shipped to PostgreSQL within {}",
                    durability.journalDir().toAbsolutePath().normalize(), durability.shipInterval());
        } else {
            this.shipper = null;
            log.info("Audit records are confirmed once committed in PostgreSQL");
        }
        this.writer = new AuditWriter(store, shipper);
        if (shipper != null) {
            shipper.shipLeftovers(store, writer);
        }
    }

    /**
     * Whether records are kept: always, except in the Spring profile {@code bench}, where
     * {@code sftp.audit.enabled=false} measures what auditing costs (bench/audit.sh). Elsewhere
     * that setting stops the start: a trail that a setting switches off proves nothing.
     */
    static boolean enabled(Environment environment) {
        if (environment.getProperty("sftp.audit.enabled", Boolean.class, true)) {
            return true;
        }
        if (!environment.matchesProfiles("bench")) {
            throw new IllegalStateException("sftp.audit.enabled=false is only for measuring what the audit trail costs, in the Spring "
                    + "profile 'bench' (spring.profiles.active=bench, as bench/audit.sh starts Ferry): remove it, a server always audits");
        }
        return false;
    }

    /** Queues an event; the future completes when its batch is committed in PostgreSQL. */
    public CompletableFuture<Void> append(AuditEvent event) {
        AuditWriter.Pending pending;
        try {
            pending = enqueue(event);
        } catch (RuntimeException e) {
            // Nobody waits for this record: losing it must not fail the action it records.
            log.error("Could not record a {} audit event: {}", event.type(), e.toString());
            return CompletableFuture.failedFuture(e);
        }
        if (shipper == null) {
            writer.wake(pending);
        }
        return pending.written();
    }

    /**
     * Queues an event and returns once it is durable (see the class comment); throws if it could
     * not be made so.
     */
    public void appendAndWait(AuditEvent event) {
        AuditWriter.Pending pending = enqueue(event);
        if (shipper != null) {
            shipper.sync(pending.seq());
        } else {
            writer.writeAndWait(pending);
        }
    }

    /**
     * Returns once every record queued before the call is in PostgreSQL (or after 10 s). Reads of
     * the trail call it first, so an answer includes everything this instance has confirmed.
     */
    public void flush() {
        writer.flush();
    }

    private AuditWriter.Pending enqueue(AuditEvent event) {
        if (!enabled) {
            return new AuditWriter.Pending(event, 0, CompletableFuture.completedFuture(null));
        }
        AuditEvent fitted = AuditFields.EVENT.fitted(event);
        return shipper == null ? writer.offer(fitted, 0) : shipper.append(fitted, writer);
    }

    /** The writer, whose counts {@link AuditMetrics} publishes. */
    AuditWriter writer() {
        return writer;
    }

    @Override
    public void start() {
        running = true;
        writer.start();
    }

    @Override
    public void stop() {
        running = false;
        writer.stop();
        if (shipper != null) {
            shipper.close();
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
