package dev.ferry.audit;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Aggregates the audit trail in PostgreSQL for the dashboard. Both queries filter on
 * {@code type} and a {@code ts} range, which the index {@code audit_events_type_ts (type, ts)}
 * answers per type; only the matching rows are read, and grouping happens in the database.
 */
@Service
public class AuditStatistics {

    /** At most this many buckets per request: a month by hour, a year and a day by day. */
    public static final int MAX_BUCKETS = 744;
    private static final int BUSIEST_USERS = 10;

    private final JdbcTemplate jdbc;
    private final AuditLog log;

    AuditStatistics(JdbcTemplate jdbc, AuditLog log) {
        this.jdbc = jdbc;
        this.log = log;
    }

    /** The start of the bucket that contains {@code time}. */
    public static Instant bucketStart(Instant time, AuditStats.Bucket bucket) {
        return time.truncatedTo(bucket == AuditStats.Bucket.HOUR ? ChronoUnit.HOURS : ChronoUnit.DAYS);
    }

    public static Instant nextBucket(Instant start, AuditStats.Bucket bucket) {
        return start.plus(1, bucket == AuditStats.Bucket.HOUR ? ChronoUnit.HOURS : ChronoUnit.DAYS);
    }

    /**
     * @param from inclusive, rounded down to the start of its bucket
     * @param to   exclusive; the last bucket is the one that contains the instant just before it
     */
    @Transactional(readOnly = true)
    public AuditStats stats(Instant from, Instant to, AuditStats.Bucket bucket) {
        log.flush();
        Instant start = bucketStart(from, bucket);
        Map<Instant, long[]> counts = new LinkedHashMap<>();
        for (Instant b = start; b.isBefore(to); b = nextBucket(b, bucket)) {
            counts.put(b, new long[6]);
        }
        String unit = bucket == AuditStats.Bucket.HOUR ? "hour" : "day";
        Timestamp fromTs = Timestamp.from(start);
        Timestamp toTs = Timestamp.from(to);
        jdbc.query("""
                select date_trunc('%s', ts at time zone 'UTC') as bucket,
                       count(*) filter (where type = 'UPLOAD' and status = 'OK') as uploads,
                       count(*) filter (where type = 'DOWNLOAD' and status = 'OK') as downloads,
                       coalesce(sum(bytes) filter (where type = 'UPLOAD' and status = 'OK'), 0) as bytes_in,
                       coalesce(sum(bytes) filter (where type = 'DOWNLOAD' and status = 'OK'), 0) as bytes_out,
                       count(*) filter (where type = 'LOGIN') as logins,
                       count(*) filter (where type = 'LOGIN_FAILED') as failed_logins
                from audit_events
                where type in ('UPLOAD', 'DOWNLOAD', 'LOGIN', 'LOGIN_FAILED') and ts >= ? and ts < ?
                group by 1""".formatted(unit), rs -> {
            Instant b = rs.getObject("bucket", LocalDateTime.class).toInstant(ZoneOffset.UTC);
            long[] c = counts.get(b);
            if (c != null) {
                c[0] = rs.getLong("uploads");
                c[1] = rs.getLong("downloads");
                c[2] = rs.getLong("bytes_in");
                c[3] = rs.getLong("bytes_out");
                c[4] = rs.getLong("logins");
                c[5] = rs.getLong("failed_logins");
            }
        }, fromTs, toTs);
        List<AuditStats.Counts> buckets = new ArrayList<>(counts.size());
        long[] total = new long[6];
        counts.forEach((b, c) -> {
            buckets.add(counts(b, c));
            for (int i = 0; i < c.length; i++) {
                total[i] += c[i];
            }
        });
        List<AuditStats.UserActivity> busiest = jdbc.query("""
                select username,
                       count(*) filter (where type = 'UPLOAD') as uploads,
                       count(*) filter (where type = 'DOWNLOAD') as downloads,
                       coalesce(sum(bytes) filter (where type = 'UPLOAD'), 0) as bytes_in,
                       coalesce(sum(bytes) filter (where type = 'DOWNLOAD'), 0) as bytes_out
                from audit_events
                where type in ('UPLOAD', 'DOWNLOAD') and status = 'OK' and username is not null and ts >= ? and ts < ?
                group by username
                order by count(*) desc, coalesce(sum(bytes), 0) desc, username
                limit ?""", (rs, i) -> new AuditStats.UserActivity(rs.getString("username"), rs.getLong("uploads"),
                rs.getLong("downloads"), rs.getLong("bytes_in"), rs.getLong("bytes_out")), fromTs, toTs, BUSIEST_USERS);
        return new AuditStats(start.atOffset(ZoneOffset.UTC), to.atOffset(ZoneOffset.UTC), bucket, buckets, counts(null, total),
                busiest);
    }

    private static AuditStats.Counts counts(Instant start, long[] c) {
        return new AuditStats.Counts(start == null ? null : start.atOffset(ZoneOffset.UTC), c[0], c[1], c[2], c[3], c[4], c[5]);
    }
}
