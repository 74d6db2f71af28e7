package dev.ferry.admins;

import java.time.OffsetDateTime;
import org.jspecify.annotations.Nullable;

/** A token just created: the only time {@link #token()} is ever shown. */
public record NewToken(long id, String name, AdminRole role, String createdBy, OffsetDateTime createdAt,
        @Nullable OffsetDateTime expiresAt, @Nullable OffsetDateTime lastUsedAt, String token) {

    @Override
    public String toString() {
        return "NewToken[id=" + id + ", name=" + name + ", role=" + role + "]";
    }
}
