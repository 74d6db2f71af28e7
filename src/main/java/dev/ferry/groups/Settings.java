package dev.ferry.groups;

import java.util.List;
import java.util.Map;

/**
 * The settings a user and a group can both carry, as stored: 0 and empty mean "not set here"
 * (for a user: the default, unless a group sets it). Permissions are normalised paths to
 * permission names.
 */
public record Settings(
        Map<String, List<String>> permissions,
        long quotaMaxBytes,
        long quotaMaxFiles,
        List<String> allowedIps,
        int maxSessions,
        long uploadBytesPerSecond,
        long downloadBytesPerSecond) {

    public Settings {
        permissions = Map.copyOf(permissions);
        allowedIps = List.copyOf(allowedIps);
    }
}
