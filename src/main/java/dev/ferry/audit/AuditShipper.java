package dev.ferry.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Journal durability: each record is numbered in the local {@link AuditJournal} and queued for the
 * {@link AuditWriter} in the same order, and confirmed once fsync'd. The writer ships the queue
 * to PostgreSQL within the ship interval, storing with each batch how far it got
 * ({@link AuditStore.JournalMark}); shipped segments are then dropped. At start, what a crash (or
 * a failed database) kept from PostgreSQL is shipped before anything new.
 */
final class AuditShipper {

    private static final Logger log = LoggerFactory.getLogger(AuditShipper.class);
    private static final int MAX_BATCH = 1000;

    private final AuditJournal journal;
    private final Duration interval;
    /** A batch was given up while stopping, so nothing after it may be shipped before the next start. */
    private volatile boolean stopped;

    private AuditShipper(AuditJournal journal, Duration interval) {
        this.journal = journal;
        this.interval = interval;
    }

    static AuditShipper open(Path dir, Duration interval) {
        try {
            return new AuditShipper(AuditJournal.open(dir), interval);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot open the audit journal in " + dir.toAbsolutePath().normalize() + " (" + e
                    + "): make sftp.audit.journal-dir a writable directory of this instance, or set sftp.audit.durability=database", e);
        }
    }

    /** Numbers the record in the journal and queues it with that number: journal and queue keep one order. */
    synchronized AuditWriter.Pending append(AuditEvent event, AuditWriter writer) {
        return writer.offer(event, journal.append(event));
    }

    /** Returns once the record numbered {@code seq} is fsync'd; throws if it could not be. */
    void sync(long seq) {
        try {
            journal.sync(seq);
        } catch (UncheckedIOException e) {
            throw new IllegalStateException("the audit record could not be written", e);
        }
    }

    /** The journal's records that a crash (or a failed database) kept from PostgreSQL, shipped before anything new. */
    void shipLeftovers(AuditStore store, AuditWriter writer) {
        long mark = store.shipped(journal.id());
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
            List<AuditWriter.Pending> batch = left.subList(from, Math.min(left.size(), from + MAX_BATCH)).stream()
                    .map(e -> new AuditWriter.Pending(e.event(), e.seq(), new java.util.concurrent.CompletableFuture<>())).toList();
            writer.write(batch);
            for (AuditWriter.Pending p : batch) {
                try {
                    p.written().join();
                } catch (CompletionException e) {
                    if (!(e.getCause() instanceof AuditWriter.RefusedRecordException)) {
                        // PostgreSQL is down or unreachable: the records stay in the journal, the start fails.
                        throw new IllegalStateException("could not ship the audit journal to PostgreSQL", e.getCause());
                    }
                }
            }
        }
    }

    /** What is stored with a batch whose last record is numbered {@code seq}. */
    AuditStore.JournalMark mark(long seq) {
        return new AuditStore.JournalMark(journal.id(), seq);
    }

    /** PostgreSQL has everything up to {@code seq}: the journal may drop it. */
    void shipped(long seq) {
        journal.shipped(seq);
    }

    Duration interval() {
        return interval;
    }

    boolean stopped() {
        return stopped;
    }

    /** Ships nothing more until the next start: a batch was given up, nothing may overtake it. */
    void stop() {
        stopped = true;
    }

    void close() {
        try {
            journal.close();
        } catch (IOException e) {
            log.warn("Could not close the audit journal: {}", e.toString());
        }
    }
}
