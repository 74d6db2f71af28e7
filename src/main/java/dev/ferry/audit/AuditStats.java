package dev.ferry.audit;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * Activity over a time range, for the admin UI's dashboard: one entry per bucket (every bucket
 * of the range, empty ones included), the totals, and the busiest users by transfers. Uploads and
 * downloads count the completed ones ({@code status} OK); bytes in are uploaded bytes, bytes out
 * downloaded bytes.
 */
public record AuditStats(OffsetDateTime from, OffsetDateTime to, Bucket bucket, List<Counts> buckets, Counts totals,
        List<UserActivity> busiestUsers) {

    /** Buckets start at whole hours or days in UTC. */
    public enum Bucket {
        HOUR,
        DAY
    }

    /** {@code start} is null for the totals. */
    public record Counts(OffsetDateTime start, long uploads, long downloads, long bytesIn, long bytesOut, long logins,
            long failedLogins) {
    }

    public record UserActivity(String username, long uploads, long downloads, long bytesIn, long bytesOut) {
    }
}
