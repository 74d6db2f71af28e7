package dev.ferry.admins;

import java.time.OffsetDateTime;
import org.jspecify.annotations.Nullable;

/**
 * An API token as listed: never the token nor its hash.
 *
 * @param createdBy  who created it (an admin's username or {@code token:<id>})
 * @param expiresAt  null: never expires
 * @param lastUsedAt last successful use, to within a minute; null: never used
 */
public record TokenView(long id, String name, AdminRole role, String createdBy, OffsetDateTime createdAt,
        @Nullable OffsetDateTime expiresAt, @Nullable OffsetDateTime lastUsedAt) {
}
