package dev.ferry.users;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** A login with one of the user's stored keys: the account, and the key's id and expiry. */
public record KeyLogin(LoginAccount account, long keyId, @Nullable Instant expiresAt) {

    public boolean expiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }
}
