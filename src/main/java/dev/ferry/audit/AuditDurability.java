package dev.ferry.audit;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where a record must be before the action it records is confirmed (an upload's CLOSE, an admin
 * change).
 *
 * @param durability   {@code database}: committed in PostgreSQL (one round trip per confirmed
 *                     action, shared by concurrent ones); {@code journal}: fsync'd in a local
 *                     journal, shipped to PostgreSQL in batches within {@code ship-interval};
 *                     {@code auto}: the journal when the database is the embedded one (both are on
 *                     the same disk, so the journal is as durable and far cheaper), else the database
 * @param journalDir   the journal's directory: one per instance, on storage that outlives the
 *                     process (a persistent volume in Kubernetes)
 * @param shipInterval how long records may wait in the journal before they are sent to PostgreSQL
 *                     (reads through the API and checksum requests send them at once)
 */
@ConfigurationProperties("sftp.audit")
record AuditDurability(
        @DefaultValue("auto") Mode durability,
        @DefaultValue("./data/audit-journal") Path journalDir,
        @DefaultValue("50ms") Duration shipInterval) {

    enum Mode { AUTO, DATABASE, JOURNAL }

    AuditDurability {
        if (shipInterval.isNegative() || shipInterval.isZero()) {
            throw new IllegalArgumentException("sftp.audit.ship-interval must be positive, not " + shipInterval);
        }
    }

    /** Whether records go through the journal, given whether the database is on this instance's disk ({@link LocalDatabase}). */
    boolean usesJournal(boolean localDatabase) {
        return durability == Mode.JOURNAL || (durability == Mode.AUTO && localDatabase);
    }
}
