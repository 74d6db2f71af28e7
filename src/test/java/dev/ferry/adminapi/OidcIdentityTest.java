package dev.ferry.adminapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.admins.AdminRole;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Roles and audit names of SSO admins from their claims, and the settings that decide them. */
class OidcIdentityTest {

    static OidcProperties properties(Map<String, AdminRole> mapping) {
        return new OidcProperties("https://sso.example.com/realms/ops", "ferry", null, null, null, "groups", mapping,
                "preferred_username", List.of("openid"));
    }

    final OidcIdentity identity = new OidcIdentity(properties(null));

    @Test
    void theDefaultMappingGivesAdminOverAuditorAndNothingForOtherGroups() {
        assertThat(identity.role(Map.of("groups", List.of("staff", "ferry-auditors", "ferry-admins")))).contains(AdminRole.ADMIN);
        assertThat(identity.role(Map.of("groups", List.of("ferry-admins", "ferry-auditors")))).contains(AdminRole.ADMIN);
        assertThat(identity.role(Map.of("groups", List.of("ferry-auditors")))).contains(AdminRole.AUDITOR);
        assertThat(identity.role(Map.of("groups", "ferry-auditors other"))).as("a space-separated string").contains(AdminRole.AUDITOR);
        assertThat(identity.role(Map.of("groups", List.of("Ferry-Admins", "staff")))).as("group names are exact").isEmpty();
        assertThat(identity.role(Map.of("sub", "x"))).isEmpty();
        assertThat(identity.role(Map.of("groups", 42))).isEmpty();
        assertThat(identity.authorities(Map.of("groups", List.of("nothing")))).isEmpty();
    }

    @Test
    void aConfiguredMappingReplacesTheDefault() {
        OidcIdentity custom = new OidcIdentity(properties(Map.of("/ops/sftp", AdminRole.AUDITOR)));
        assertThat(custom.role(Map.of("groups", List.of("/ops/sftp")))).isEqualTo(Optional.of(AdminRole.AUDITOR));
        assertThat(custom.role(Map.of("groups", List.of("ferry-admins")))).isEmpty();
    }

    @Test
    void theAuditNameCarriesTheIssuerHostAndPreferredUsernameElseSub() {
        assertThat(identity.name(Map.of("sub", "f81d4fae", "preferred_username", "alice"))).isEqualTo("oidc:sso.example.com:alice");
        assertThat(identity.name(Map.of("sub", "ci-client"))).isEqualTo("oidc:sso.example.com:ci-client");
    }

    @Test
    void settingsAreCheckedAtStartAndSsoIsOffWithoutAnIssuer() {
        assertThat(new OidcProperties(" ", null, null, null, null, "groups", null, "preferred_username", List.of()).enabled()).isFalse();
        assertThatThrownBy(() -> new OidcProperties("https://sso.example.com", null, null, null, null, "groups", null,
                "preferred_username", List.of())).hasMessageContaining("client-id");
        assertThatThrownBy(() -> new OidcProperties("sso.example.com", "ferry", null, null, null, "groups", null,
                "preferred_username", List.of())).hasMessageContaining("http(s) URL");
        OidcProperties defaults = properties(null);
        assertThat(defaults.audience()).isEqualTo("ferry");
        assertThat(defaults.providerName()).isEqualTo("sso.example.com");
        assertThat(defaults.toString()).doesNotContain("secret-value");
        assertThat(new OidcProperties("https://sso.example.com", "ferry", "secret-value", null, null, "groups", null,
                "preferred_username", List.of()).toString()).doesNotContain("secret-value");
    }
}
