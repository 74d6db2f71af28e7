package dev.ferry.adminapi;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.ferry.admins.AdminRole;
import org.jspecify.annotations.Nullable;

/**
 * Body of POST and PUT /api/v1/admins. Unknown fields are refused; the read-only fields of a GET
 * answer are ignored, so a script can GET an admin, change the role and PUT it back.
 */
@JsonIgnoreProperties({"createdAt", "updatedAt", "mfaEnabled", "mfaRequired"})
record AdminRequest(@Nullable String username, @Nullable String password, AdminRole role) {

    @Override
    public String toString() {
        return "AdminRequest[username=" + username + ", role=" + role + "]";
    }
}
