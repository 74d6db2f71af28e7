package dev.ferry.admins;

import java.time.OffsetDateTime;

/**
 * An admin account as the admin API shows it; never carries the password or its hash.
 *
 * @param mfaEnabled  a TOTP authenticator is confirmed
 * @param mfaRequired this admin must use one (set per admin; {@code sftp.admin.require-mfa} requires it of all)
 */
public record AdminView(String username, AdminRole role, OffsetDateTime createdAt, OffsetDateTime updatedAt, boolean mfaEnabled,
        boolean mfaRequired) {
}
