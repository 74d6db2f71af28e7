package dev.ferry.adminapi;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.ferry.users.UserSpec;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Body of POST and PUT /api/v1/users. Unknown fields are refused; the read-only fields of a GET
 * answer are ignored, so a script can GET a user, change a field and PUT it back.
 */
@JsonIgnoreProperties({"hasPassword", "usage", "createdAt", "updatedAt", "source", "totpEnrolled", "effective"})
record UserRequest(
        @Nullable String username,
        @Nullable String password,
        @Nullable List<String> publicKeys,
        @Nullable Boolean enabled,
        @Nullable OffsetDateTime expiresAt,
        UserSpec.@Nullable Storage storage,
        UserSpec.@Nullable Quota quota,
        @Nullable Map<String, List<String>> permissions,
        @Nullable List<String> allowedIps,
        @Nullable Integer maxSessions,
        @Nullable Long maxFileSize,
        UserSpec.@Nullable Bandwidth bandwidth,
        @Nullable String loginPolicy,
        @Nullable List<String> groups) {

    UserSpec spec() {
        return new UserSpec(username, enabled, expiresAt, storage, quota, permissions, allowedIps, maxSessions,
                maxFileSize, bandwidth, loginPolicy);
    }

    @Override
    public String toString() {
        return "UserRequest[username=" + username + "]";
    }
}
