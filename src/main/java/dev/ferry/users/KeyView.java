package dev.ferry.users;

import java.time.OffsetDateTime;
import org.jspecify.annotations.Nullable;

/**
 * A stored public key. {@code lastUsedAt} is the last login with it, written a few seconds after
 * the login (see KeyUsage); null if never used since it was added.
 */
public record KeyView(long id, String type, String publicKey, @Nullable String comment, String fingerprint, OffsetDateTime createdAt,
        @Nullable String label, @Nullable OffsetDateTime expiresAt, @Nullable OffsetDateTime lastUsedAt) {
}
