package dev.ferry.adminapi;

import dev.ferry.admins.AdminCredentials;
import dev.ferry.shared.Sha256;
import jakarta.servlet.http.HttpServletRequest;
import java.io.Serializable;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.userdetails.UserDetails;

/**
 * Marks an authentication that came from the admin UI's login and remembers what it was granted
 * on: the role and a digest of the password hash. {@link AdminSessionRevalidationFilter} ends the
 * session when either changes (or the account is deleted), as HTTP Basic would refuse at once.
 */
record AdminSessionDetails(String role, String passwordHashDigest, String remoteAddress) implements Serializable {

    static AdminSessionDetails of(HttpServletRequest request, Authentication result) {
        String role = result.getAuthorities().stream().map(a -> a.getAuthority()).filter(a -> a.startsWith("ROLE_"))
                .findFirst().orElse("");
        String hash = result.getPrincipal() instanceof UserDetails user ? user.getPassword() : null;
        return new AdminSessionDetails(role, digest(hash), request.getRemoteAddr());
    }

    boolean stillGrantedBy(AdminCredentials current) {
        return ("ROLE_" + current.role().name()).equals(role) && digest(current.passwordHash()).equals(passwordHashDigest);
    }

    static String digest(String passwordHash) {
        return Sha256.hex(String.valueOf(passwordHash));
    }
}
