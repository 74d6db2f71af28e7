package dev.ferry.groups;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What an admin sets on a group; null, 0 and empty mean the group does not set that value (its
 * members keep their own or the default). {@code storage} is the storage of members created
 * without their own; its prefix may hold {@code {username}}. {@code virtualFolders} are part of the
 * contract but not supported yet: a group that sets them is refused.
 */
public record GroupSpec(
        @Nullable String name,
        @Nullable Map<String, List<String>> permissions,
        @Nullable Quota quota,
        @Nullable Storage storage,
        @Nullable List<String> allowedIps,
        @Nullable Integer maxSessions,
        @Nullable Bandwidth bandwidth,
        @Nullable List<Object> virtualFolders) {

    /** As a user's storage; {@code prefix} may hold {@code {username}} ({@code partners/{username}/}). */
    public record Storage(String type, @Nullable String bucket, @Nullable String prefix) {
    }

    /** 0 or null: not set by the group. */
    public record Quota(@Nullable Long maxBytes, @Nullable Long maxFiles) {
    }

    /** Bytes per second; 0 or null: not set by the group. */
    public record Bandwidth(@Nullable Long uploadBytesPerSecond, @Nullable Long downloadBytesPerSecond) {
    }
}
