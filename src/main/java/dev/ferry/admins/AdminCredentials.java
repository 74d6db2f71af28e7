package dev.ferry.admins;

/**
 * What the admin API needs to check an HTTP login; the hash never leaves the server.
 *
 * @param mfaEnabled  the admin has confirmed a TOTP authenticator: a login needs its code (or a recovery code)
 * @param mfaRequired the admin must use one (their own flag or {@code sftp.admin.require-mfa}); without one yet,
 *                    a login may only enrol
 */
public record AdminCredentials(String username, String passwordHash, AdminRole role, boolean mfaEnabled, boolean mfaRequired) {

    /** A second factor is part of this admin's login (so HTTP Basic, which cannot carry it, is refused). */
    public boolean secondFactor() {
        return mfaEnabled || mfaRequired;
    }

    @Override
    public String toString() {
        return "AdminCredentials[username=" + username + ", role=" + role + ", mfaEnabled=" + mfaEnabled + "]";
    }
}
