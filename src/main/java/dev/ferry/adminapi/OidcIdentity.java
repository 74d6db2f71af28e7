package dev.ferry.adminapi;

import dev.ferry.admins.AdminRole;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * Who an SSO admin is to Ferry, from the claims of an ID token, user info or access token: the
 * role from the configured claim and mapping (ADMIN wins over AUDITOR; no match, no role, so 403),
 * and the name the audit records, {@code oidc:<issuer host>:<preferred_username, else sub>}. The
 * host keeps two providers' users of the same name apart.
 */
final class OidcIdentity {

    private final OidcProperties properties;
    private final String prefix;

    OidcIdentity(OidcProperties properties) {
        this.properties = properties;
        this.prefix = "oidc:" + properties.issuerHost() + ":";
    }

    Optional<AdminRole> role(Map<String, Object> claims) {
        Object value = claims.get(properties.roleClaim());
        Collection<?> groups = value instanceof Collection<?> c ? c : value instanceof String s ? List.of(s.split("[ ,]+")) : List.of();
        AdminRole best = null;
        for (Object group : groups) {
            AdminRole role = properties.roleMapping().get(String.valueOf(group));
            if (role == AdminRole.ADMIN || role != null && best == null) {
                best = role;
            }
        }
        return Optional.ofNullable(best);
    }

    List<GrantedAuthority> authorities(Map<String, Object> claims) {
        return role(claims).<List<GrantedAuthority>>map(r -> List.of(new SimpleGrantedAuthority("ROLE_" + r.name()))).orElse(List.of());
    }

    String name(Map<String, Object> claims) {
        Object preferred = claims.get(properties.usernameClaim());
        String name = preferred instanceof String s && !s.isBlank() ? s : String.valueOf(claims.get("sub"));
        return prefix + name;
    }
}
