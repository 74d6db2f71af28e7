package dev.ferry.adminapi;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.ferry.groups.GroupSpec;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Body of POST and PUT /api/v1/groups. Unknown fields are refused; the read-only fields of a GET
 * answer are ignored, so a script can GET a group, change a field and PUT it back.
 */
@JsonIgnoreProperties({"members", "createdAt", "updatedAt"})
record GroupRequest(
        @Nullable String name,
        @Nullable Map<String, List<String>> permissions,
        GroupSpec.@Nullable Quota quota,
        GroupSpec.@Nullable Storage storage,
        @Nullable List<String> allowedIps,
        @Nullable Integer maxSessions,
        GroupSpec.@Nullable Bandwidth bandwidth,
        @Nullable List<Object> virtualFolders) {

    GroupSpec spec() {
        return new GroupSpec(name, permissions, quota, storage, allowedIps, maxSessions, bandwidth, virtualFolders);
    }
}
