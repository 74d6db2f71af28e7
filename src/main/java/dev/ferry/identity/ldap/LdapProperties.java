package dev.ferry.identity.ldap;

import dev.ferry.users.UserSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * SFTP users from an LDAP directory or Active Directory ({@code sftp.ldap.*}); off while {@code url} is unset.
 *
 * @param url               {@code ldap://host:389} or {@code ldaps://host:636}
 * @param base              the base DN every search is relative to, e.g. {@code dc=example,dc=com}
 * @param bindDn            the service account searching for users (unset: anonymous searches)
 * @param bindPassword      its password (never logged)
 * @param userFilter        finds a user; {@code {0}} is the login name, escaped (RFC 4515) before it is put in
 * @param usernameAttribute the attribute holding the login name (its spelling becomes the Ferry user's)
 * @param keyAttribute      the attribute holding OpenSSH public keys, one per value
 * @param groupAttribute    the attribute of the user listing its groups' DNs (AD and OpenLDAP's memberOf)
 * @param groupSearchBase   set: groups are also searched under it (relative to {@code base}) with {@code groupSearchFilter}
 * @param groupSearchFilter {@code {0}} is the user's DN, {@code {1}} the login name, both escaped
 * @param disabledFilter    set: a user the filter also matches is disabled, e.g. {@code (nsAccountLock=true)};
 *                          AD's userAccountControl "disabled" bit is always honoured
 * @param cacheTtl          how long a looked-up entry (DN, keys, groups, state) is reused: at most a minute, so a
 *                          deleted or disabled account is refused within it; a password is always checked by a bind
 * @param timeout           connecting to and each answer of the directory; a login waits at most about twice this
 * @param profiles          group -> Ferry profile, first match in this order wins; a user in none is refused
 */
@ConfigurationProperties("sftp.ldap")
record LdapProperties(@Nullable String url, @DefaultValue("") String base, @Nullable String bindDn, @Nullable String bindPassword,
        @DefaultValue("(uid={0})") String userFilter, @DefaultValue("uid") String usernameAttribute,
        @DefaultValue("sshPublicKey") String keyAttribute, @DefaultValue("memberOf") String groupAttribute,
        @Nullable String groupSearchBase, @DefaultValue("(member={0})") String groupSearchFilter, @Nullable String disabledFilter,
        @DefaultValue("30s") Duration cacheTtl, @DefaultValue("5s") Duration timeout, @DefaultValue List<Profile> profiles) {

    static final Duration MAX_CACHE_TTL = Duration.ofMinutes(1);

    LdapProperties {
        if (cacheTtl.isNegative() || cacheTtl.compareTo(MAX_CACHE_TTL) > 0) {
            throw new IllegalArgumentException("sftp.ldap.cache-ttl (" + cacheTtl + ") must be between 0 and 1m: a disabled or "
                    + "deleted directory account must be refused within a minute");
        }
        if (url != null && profiles.isEmpty()) {
            throw new IllegalArgumentException("sftp.ldap.profiles is empty: map at least one directory group to a Ferry profile "
                    + "(sftp.ldap.profiles[0].group=...), or nobody from the directory can log in");
        }
        for (int i = 0; i < profiles.size(); i++) {
            if (profiles.get(i).group() == null || profiles.get(i).group().isBlank()) {
                throw new IllegalArgumentException("sftp.ldap.profiles[" + i + "].group is required (a group DN or its cn)");
            }
        }
    }

    /**
     * What a member of {@code group} (its DN, or the value of its first RDN, e.g. its cn) gets, as the
     * admin API's user fields; {@code {username}} in the S3 prefix is the user's name (its home template).
     */
    record Profile(String group, UserSpec.@Nullable Storage storage, @Nullable Map<String, List<String>> permissions,
            UserSpec.@Nullable Quota quota, @Nullable List<String> allowedIps, @Nullable Integer maxSessions,
            @Nullable Long maxFileSize, UserSpec.@Nullable Bandwidth bandwidth) {

        UserSpec spec(String username) {
            UserSpec.Storage home = storage == null ? null
                    : new UserSpec.Storage(storage.type(), storage.bucket(),
                            storage.prefix() == null ? null : storage.prefix().replace("{username}", username));
            return new UserSpec(username, true, null, home, quota, permissions, allowedIps, maxSessions, maxFileSize, bandwidth, null);
        }
    }

    @Override
    public String toString() {
        return "LdapProperties[url=" + url + ", base=" + base + ", bindDn=" + bindDn + ", bindPassword=" + (bindPassword == null ? "unset" : "hidden")
                + ", userFilter=" + userFilter + "]";
    }
}
