package dev.ferry.users;

import java.time.OffsetDateTime;
import org.jspecify.annotations.Nullable;

/** A stored public key. */
public record KeyView(long id, String type, String publicKey, @Nullable String comment, String fingerprint, OffsetDateTime createdAt) {
}
