package dev.ferry.adminapi;

import dev.ferry.admins.AdminRole;
import java.time.OffsetDateTime;
import org.jspecify.annotations.Nullable;

/** Body of POST /api/v1/tokens; {@code expiresAt} null or absent: the token never expires. */
record TokenRequest(String name, AdminRole role, @Nullable OffsetDateTime expiresAt) {
}
