package dev.ferry.admins;

import java.time.OffsetDateTime;

/** An admin account as the admin API shows it; never carries the password or its hash. */
public record AdminView(String username, AdminRole role, OffsetDateTime createdAt, OffsetDateTime updatedAt) {
}
