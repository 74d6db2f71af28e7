package dev.ferry.adminapi;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.ferry.users.UserSpec;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/**
 * Body of POST and PUT /api/v1/users. Unknown fields are refused; the read-only fields of a GET
 * answer are ignored, so a script can GET a user, change a field and PUT it back.
 */
@JsonIgnoreProperties({"hasPassword", "usage", "createdAt", "updatedAt"})
record UserRequest(
        String username,
        String password,
        List<String> publicKeys,
        Boolean enabled,
        OffsetDateTime expiresAt,
        UserSpec.Storage storage,
        UserSpec.Quota quota,
        Map<String, List<String>> permissions,
        List<String> allowedIps,
        Integer maxSessions,
        Long maxFileSize,
        UserSpec.Bandwidth bandwidth) {

    UserSpec spec() {
        return new UserSpec(username, enabled, expiresAt, storage, quota, permissions, allowedIps, maxSessions,
                maxFileSize, bandwidth);
    }

    @Override
    public String toString() {
        return "UserRequest[username=" + username + "]";
    }
}
