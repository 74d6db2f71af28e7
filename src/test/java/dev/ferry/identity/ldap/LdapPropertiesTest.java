package dev.ferry.identity.ldap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.users.UserSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Settings that would let a disabled account in for long, or nobody in at all, stop the start with the setting named. */
class LdapPropertiesTest {

    static LdapProperties.Profile partners = new LdapProperties.Profile("partners", new UserSpec.Storage("s3", "bucket", "acme/{username}/"),
            Map.of("/", List.of("list", "download")), null, null, null, null, null);

    static LdapProperties ldap(Duration cacheTtl, List<LdapProperties.Profile> profiles) {
        return new LdapProperties("ldap://ldap.example.com", "dc=example,dc=com", "cn=ferry", "service-secret", "(uid={0})", "uid",
                "sshPublicKey", "memberOf", null, "(member={0})", null, cacheTtl, Duration.ofSeconds(5), profiles);
    }

    @Test
    void aCacheOfMoreThanAMinuteIsRefused() {
        assertThatThrownBy(() -> ldap(Duration.ofMinutes(5), List.of(partners))).hasMessageContaining("sftp.ldap.cache-ttl")
                .hasMessageContaining("within a minute");
        assertThat(ldap(Duration.ofMinutes(1), List.of(partners)).cacheTtl()).isEqualTo(Duration.ofMinutes(1));
        assertThat(ldap(Duration.ZERO, List.of(partners)).cacheTtl()).isZero();
    }

    @Test
    void aDirectoryWithoutProfilesOrAProfileWithoutAGroupIsRefused() {
        assertThatThrownBy(() -> ldap(Duration.ofSeconds(30), List.of())).hasMessageContaining("sftp.ldap.profiles");
        LdapProperties.Profile nameless = new LdapProperties.Profile(" ", null, null, null, null, null, null, null);
        assertThatThrownBy(() -> ldap(Duration.ofSeconds(30), List.of(nameless))).hasMessageContaining("sftp.ldap.profiles[0].group");
    }

    @Test
    void theProfileNamesTheUsersHomeAndTheBindPasswordIsNeverShown() {
        UserSpec spec = partners.spec("Alice");
        assertThat(spec.username()).isEqualTo("Alice");
        assertThat(spec.storage().prefix()).isEqualTo("acme/Alice/");
        assertThat(spec.permissions()).containsEntry("/", List.of("list", "download"));
        assertThat(ldap(Duration.ofSeconds(30), List.of(partners)).toString()).doesNotContain("service-secret");
    }

    @Test
    void groupsMatchByDnOrByTheirFirstRdnsValue() {
        assertThat(LdapDirectory.shortName("cn=partners,ou=groups,dc=example,dc=com")).isEqualTo("partners");
        assertThat(LdapDirectory.shortName("CN=Ferry Readers,OU=Groups,DC=corp,DC=example")).isEqualTo("Ferry Readers");
        assertThat(LdapDirectory.shortName("not a dn")).isEqualTo("not a dn");
    }
}
