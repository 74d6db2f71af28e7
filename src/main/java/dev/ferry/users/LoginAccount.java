package dev.ferry.users;

import dev.ferry.storage.HomeLocation;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the SFTP server needs about a user at login and for the session: looked up once per
 * login, never per packet.
 */
public record LoginAccount(
        long id,
        String username,
        boolean enabled,
        Instant expiresAt,
        HomeLocation home,
        Map<String, List<String>> permissions,
        List<String> allowedIps,
        int maxSessions,
        long quotaMaxBytes,
        long quotaMaxFiles,
        long maxFileSize,
        long uploadBytesPerSecond,
        long downloadBytesPerSecond) {

    /** Whether uploads must reserve space in the quota ledger. */
    public boolean hasQuota() {
        return quotaMaxBytes > 0 || quotaMaxFiles > 0;
    }

    /** Why this account may not log in now, or null if it may. */
    public String refusal(Instant now) {
        if (!enabled) {
            return "account disabled";
        }
        if (expiresAt != null && !now.isBefore(expiresAt)) {
            return "account expired";
        }
        return null;
    }
}
