package dev.ferry.groups;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A group as the admin API shows it; {@code members} is how many users list it. */
public record GroupView(
        String name,
        Map<String, List<String>> permissions,
        GroupSpec.Quota quota,
        List<String> allowedIps,
        int maxSessions,
        GroupSpec.Bandwidth bandwidth,
        GroupSpec.@Nullable Storage storage,
        List<Object> virtualFolders,
        long members,
        OffsetDateTime createdAt,
        OffsetDateTime updatedAt) {
}
