package dev.ferry.usercas;

import java.math.BigInteger;
import java.time.OffsetDateTime;
import org.jspecify.annotations.Nullable;

/**
 * Certificates of one CA that may no longer log in: those with this serial, or with this key id
 * (exactly one of the two is set).
 */
public record Revocation(long id, @Nullable BigInteger serial, @Nullable String keyId, OffsetDateTime createdAt) {
}
