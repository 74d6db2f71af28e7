package dev.ferry.quotas;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Exact, cluster-wide usage per user, kept in PostgreSQL. An upload first reserves the space and
 * file slot it may take; a reservation is granted in a transaction that locks the user's usage
 * row, so uploads on every instance together never pass a quota. Completed uploads turn their
 * reservation into usage; uploads that end otherwise release it. Reservations of a crashed
 * instance expire.
 * <p>
 * Users without a quota reserve nothing: their usage changes are batched and written within
 * a second, keeping the database off the per-file path.
 */
@Service
public class QuotaLedger {

    private static final Logger log = LoggerFactory.getLogger(QuotaLedger.class);
    static final Duration RESERVATION_TTL = Duration.ofMinutes(15);
    /** {@link #RESERVATION_TTL} as a PostgreSQL interval. */
    private static final String RESERVATION_TTL_INTERVAL = RESERVATION_TTL.toSeconds() + " seconds";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Map<Long, long[]> pending = new ConcurrentHashMap<>();
    private final QuotaLimits limits;

    QuotaLedger(JdbcTemplate jdbc, TransactionTemplate tx, QuotaLimits limits) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.limits = limits;
    }

    /**
     * Holds {@code bytes} and {@code files} for an upload in progress.
     *
     * @return the reservation id
     * @throws QuotaExceededException when the user's quota cannot hold them
     */
    public long reserve(long userId, long bytes, long files) {
        return tx.execute(status -> {
            checkRoom(userId, bytes, files, 0);
            Long id = jdbc.queryForObject(
                    "insert into quota_reservations (user_id, bytes, files, expires_at) values (?, ?, ?, now() + ?::interval) returning id",
                    Long.class, userId, bytes, files, RESERVATION_TTL_INTERVAL);
            return id;
        });
    }

    /** Adds {@code moreBytes} to a reservation, or throws {@link QuotaExceededException}. */
    public void grow(long reservationId, long userId, long moreBytes) {
        tx.executeWithoutResult(status -> {
            checkRoom(userId, moreBytes, 0, 0);
            int updated = jdbc.update("update quota_reservations set bytes = bytes + ?, expires_at = now() + ?::interval where id = ?",
                    moreBytes, RESERVATION_TTL_INTERVAL, reservationId);
            if (updated == 0) {
                throw new QuotaExceededException("the reservation of this upload expired; upload again");
            }
        });
    }

    /**
     * Turns a reservation into usage: the upload changed usage by the given deltas, measured as it
     * is published. What the reservation did not cover (the file it was to replace was removed
     * meanwhile, so it adds a file) must still fit, or {@link QuotaExceededException} is thrown and
     * nothing changes.
     */
    public void commit(long reservationId, long userId, long deltaBytes, long deltaFiles) {
        tx.executeWithoutResult(status -> {
            checkRoom(userId, deltaBytes, deltaFiles, reservationId);
            jdbc.update("update quota_usage set used_bytes = greatest(0, used_bytes + ?), used_files = greatest(0, used_files + ?) "
                    + "where user_id = ?", deltaBytes, deltaFiles, userId);
            jdbc.update("delete from quota_reservations where id = ?", reservationId);
        });
    }

    /** Gives a reservation back (the upload was discarded). */
    public void release(long reservationId) {
        try {
            jdbc.update("delete from quota_reservations where id = ?", reservationId);
        } catch (RuntimeException e) {
            // it expires by itself; nothing is lost but some headroom for a while
            log.warn("Could not release quota reservation {}: {}", reservationId, e.toString());
        }
    }

    /** Records a usage change without reserving (no quota, or space freed); written within a second. */
    public void record(long userId, long deltaBytes, long deltaFiles) {
        pending.compute(userId, (id, sums) -> {
            long[] s = sums == null ? new long[2] : sums;
            s[0] += deltaBytes;
            s[1] += deltaFiles;
            return s;
        });
    }

    @Scheduled(fixedDelay = 250)
    public void flush() {
        if (pending.isEmpty()) {
            return;
        }
        Map<Long, long[]> batch = new HashMap<>();
        for (Long userId : List.copyOf(pending.keySet())) {
            long[] sums = pending.remove(userId);
            if (sums != null) {
                batch.put(userId, sums);
            }
        }
        try {
            tx.executeWithoutResult(status -> batch.forEach((userId, sums) -> {
                ensureRow(userId);
                jdbc.update("update quota_usage set used_bytes = greatest(0, used_bytes + ?), used_files = greatest(0, used_files + ?) "
                        + "where user_id = ?", sums[0], sums[1], userId);
            }));
        } catch (RuntimeException e) {
            log.warn("Could not write usage changes, retrying: {}", e.toString());
            batch.forEach((userId, sums) -> record(userId, sums[0], sums[1]));
        }
    }

    /** Refreshes reservations of uploads still running, so only a crashed instance's expire. */
    public void keepAlive(List<Long> reservationIds) {
        if (reservationIds.isEmpty()) {
            return;
        }
        jdbc.batchUpdate("update quota_reservations set expires_at = now() + ?::interval where id = ?",
                reservationIds.stream().map(id -> new Object[] {RESERVATION_TTL_INTERVAL, id}).toList());
    }

    @Scheduled(fixedDelay = 60_000)
    public void removeExpiredReservations() {
        jdbc.update("delete from quota_reservations where expires_at < now() - interval '1 hour'");
    }

    /** The user's usage, the changes not yet written included (the admin API shows it). */
    public Usage usage(long userId) {
        List<Usage> rows = jdbc.query("select used_bytes, used_files from quota_usage where user_id = ?",
                (rs, i) -> new Usage(rs.getLong(1), rs.getLong(2)), userId);
        Usage stored = rows.isEmpty() ? new Usage(0, 0) : rows.get(0);
        long[] unflushed = pending.get(userId);
        return unflushed == null ? stored
                : new Usage(Math.max(0, stored.usedBytes() + unflushed[0]), Math.max(0, stored.usedFiles() + unflushed[1]));
    }

    private void checkRoom(long userId, long bytes, long files, long excludeReservation) {
        ensureRow(userId);
        Map<String, Object> row = jdbc.queryForMap(
                "select q.used_bytes, q.used_files from quota_usage q where q.user_id = ? for update of q", userId);
        // read after the lock, in the same transaction: a lowered quota and a reservation never pass each other
        QuotaLimits.Limits limit = limits.of(userId);
        long maxBytes = limit.maxBytes();
        long maxFiles = limit.maxFiles();
        long usedBytes = ((Number) row.get("used_bytes")).longValue();
        long usedFiles = ((Number) row.get("used_files")).longValue();
        Map<String, Object> held = jdbc.queryForMap(
                "select coalesce(sum(bytes), 0) as bytes, coalesce(sum(files), 0) as files from quota_reservations "
                        + "where user_id = ? and expires_at > now() and id <> ?", userId, excludeReservation);
        long heldBytes = ((Number) held.get("bytes")).longValue();
        long heldFiles = ((Number) held.get("files")).longValue();
        // Only what is added is checked: replacing, appending to or resuming a stored file adds no
        // file, and a file no bigger than the one it replaces adds no bytes, however full the quota
        // (or lowered below the usage) it is.
        if (maxBytes > 0 && bytes > 0 && usedBytes + heldBytes + bytes > maxBytes) {
            throw new QuotaExceededException("the quota of " + maxBytes + " bytes is used up ("
                    + usedBytes + " stored, " + heldBytes + " held by uploads in progress)");
        }
        if (maxFiles > 0 && files > 0 && usedFiles + heldFiles + files > maxFiles) {
            throw new QuotaExceededException("the quota of " + maxFiles + " files is used up");
        }
    }

    private void ensureRow(long userId) {
        jdbc.update("insert into quota_usage (user_id) select id from users where id = ? on conflict do nothing", userId);
    }
}
