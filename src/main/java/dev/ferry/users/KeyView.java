package dev.ferry.users;

import java.time.OffsetDateTime;

/** A stored public key. */
public record KeyView(long id, String type, String publicKey, String comment, String fingerprint, OffsetDateTime createdAt) {
}
