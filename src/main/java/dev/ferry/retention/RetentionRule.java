package dev.ferry.retention;

import java.time.OffsetDateTime;
import org.jspecify.annotations.Nullable;

/**
 * A retention rule as stored and as the admin API shows it: files whose modification time is more
 * than {@code days} days ago, under the glob {@code path}, in the home of {@code username} or, when
 * that is null, of every user, are deleted.
 */
public record RetentionRule(
        long id,
        String name,
        String path,
        @Nullable String username,
        int days,
        boolean enabled,
        OffsetDateTime createdAt,
        OffsetDateTime updatedAt) {

    /** What the audit records of its deletions say: {@code retention rule 'outbox-30d': older than 30 days}. */
    public String describe() {
        return "retention rule '" + name + "': older than " + days + (days == 1 ? " day" : " days");
    }
}
