package dev.ferry.adminapi;

import dev.ferry.admins.AdminRole;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Admin single sign-on with an OpenID provider ({@code sftp.admin.oidc.*}); off while {@code issuer} is unset.
 *
 * @param issuer        the provider's issuer URL (its {@code /.well-known/openid-configuration} is read from there)
 * @param clientId      Ferry's client at the provider (the admin UI's login)
 * @param clientSecret  its secret; unset: a public client (PKCE only)
 * @param providerName  shown on the login page ("Sign in with ..."); default: the issuer's host
 * @param audience      an access token is accepted by the API only when its {@code aud} holds this; default: the client id
 * @param roleClaim     the claim (ID token, user info or access token) that lists the caller's groups
 * @param roleMapping   group -> role; ADMIN wins over AUDITOR; default {@code ferry-admins -> ADMIN}, {@code ferry-auditors -> AUDITOR}
 * @param usernameClaim the claim that names an SSO admin in the audit ({@code oidc:<issuer host>:<value>}); {@code sub} when absent
 * @param scopes        scopes the admin UI's login asks for
 */
@ConfigurationProperties("sftp.admin.oidc")
record OidcProperties(String issuer, String clientId, String clientSecret, String providerName, String audience,
        @DefaultValue("groups") String roleClaim, Map<String, AdminRole> roleMapping,
        @DefaultValue("preferred_username") String usernameClaim, @DefaultValue({"openid", "profile", "email"}) List<String> scopes) {

    /** The registration id in Spring Security's OAuth2 login URLs ({@code /oauth2/authorization/oidc}). */
    static final String REGISTRATION = "oidc";

    OidcProperties {
        issuer = blankToNull(issuer);
        clientId = blankToNull(clientId);
        clientSecret = blankToNull(clientSecret);
        if (issuer != null) {
            URI uri = URI.create(issuer);
            if (uri.getHost() == null || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
                throw new IllegalArgumentException("sftp.admin.oidc.issuer must be an http(s) URL such as "
                        + "https://login.example.com/realms/ops, not '" + issuer + "'");
            }
            if (clientId == null) {
                throw new IllegalArgumentException("sftp.admin.oidc.client-id must be set when sftp.admin.oidc.issuer is");
            }
            if (blankToNull(providerName) == null) {
                providerName = uri.getHost();
            }
        }
        if (blankToNull(audience) == null) {
            audience = clientId;
        }
        if (roleMapping == null || roleMapping.isEmpty()) {
            roleMapping = new LinkedHashMap<>(Map.of("ferry-admins", AdminRole.ADMIN, "ferry-auditors", AdminRole.AUDITOR));
        }
        roleMapping = Map.copyOf(roleMapping);
        scopes = List.copyOf(scopes);
    }

    boolean enabled() {
        return issuer != null;
    }

    String issuerHost() {
        return URI.create(issuer).getHost();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    @Override
    public String toString() {
        return "OidcProperties[issuer=" + issuer + ", clientId=" + clientId + ", clientSecret="
                + (clientSecret == null ? "unset" : "****") + ", roleClaim=" + roleClaim + "]";
    }
}
