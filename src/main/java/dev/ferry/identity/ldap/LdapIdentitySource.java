package dev.ferry.identity.ldap;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.ferry.identity.Credential;
import dev.ferry.identity.Decision;
import dev.ferry.identity.IdentitySource;
import java.util.Arrays;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SFTP users from the directory: the entry found by the user filter decides (disabled or not, its
 * keys, its groups -> the first matching profile), and a password counts only if binding as the
 * entry's DN with it succeeds: no password is ever stored or cached, so a directory that cannot
 * answer refuses the login instead of falling back on an old one. Looked-up entries are reused for
 * {@code sftp.ldap.cache-ttl} (at most a minute) to spare the directory a search per login.
 */
class LdapIdentitySource implements IdentitySource {

    private static final Logger log = LoggerFactory.getLogger(LdapIdentitySource.class);

    private final LdapProperties properties;
    private final LdapDirectory directory;
    private final @Nullable Cache<String, DirectoryEntry> entries;

    LdapIdentitySource(LdapProperties properties, LdapDirectory directory) {
        this.properties = properties;
        this.directory = directory;
        this.entries = properties.cacheTtl().isZero() ? null
                : Caffeine.newBuilder().expireAfterWrite(properties.cacheTtl()).maximumSize(10_000).build();
    }

    @Override
    public String name() {
        return "ldap";
    }

    @Override
    public Decision authenticate(String username, Credential credential, String clientAddress, String protocol) {
        if (credential instanceof Credential.Password password && password.password().isEmpty()) {
            // an LDAP bind with a DN and no password is an anonymous bind, which succeeds
            return Decision.denied("empty password");
        }
        DirectoryEntry entry;
        try {
            entry = lookup(username);
        } catch (RuntimeException e) {
            return unreachable(username, clientAddress, e);
        }
        if (entry == null) {
            return Decision.unknown();
        }
        if (entry.disabled()) {
            return Decision.refused("account disabled in the directory");
        }
        LdapProperties.Profile profile = profileOf(entry);
        if (profile == null) {
            return Decision.refused("in no group mapped to a Ferry profile (sftp.ldap.profiles)");
        }
        if (credential instanceof Credential.Password password) {
            try {
                directory.bind(entry.dn(), password.password());
            } catch (org.springframework.ldap.AuthenticationException e) {
                forget(username); // the entry may be gone or changed; look again next time
                return Decision.denied("wrong password");
            } catch (RuntimeException e) {
                forget(username);
                return unreachable(username, clientAddress, e);
            }
        } else if (credential instanceof Credential.PublicKey key) {
            if (entry.keys().stream().noneMatch(k -> Arrays.equals(k, key.blob()))) {
                return Decision.denied("key " + key.fingerprint() + " is not in " + properties.keyAttribute());
            }
        }
        return Decision.allowed(profile.spec(entry.username()));
    }

    private @Nullable DirectoryEntry lookup(String username) {
        if (entries == null) {
            return directory.find(username);
        }
        String key = username.toLowerCase(Locale.ROOT);
        DirectoryEntry cached = entries.getIfPresent(key);
        if (cached != null) {
            return cached;
        }
        DirectoryEntry found = directory.find(username);
        if (found != null) {
            entries.put(key, found); // a name the directory does not have is asked again next time
        }
        return found;
    }

    private void forget(String username) {
        if (entries != null) {
            entries.invalidate(username.toLowerCase(Locale.ROOT));
        }
    }

    private LdapProperties.@Nullable Profile profileOf(DirectoryEntry entry) {
        for (LdapProperties.Profile profile : properties.profiles()) {
            for (String group : entry.groups()) {
                if (group.equalsIgnoreCase(profile.group()) || LdapDirectory.shortName(group).equalsIgnoreCase(profile.group())) {
                    return profile;
                }
            }
        }
        return null;
    }

    private Decision unreachable(String username, String clientAddress, RuntimeException e) {
        log.warn("LDAP directory {} did not answer: refused the login of {} from {} (no fallback): {}", directory.url(), username,
                clientAddress, e.toString());
        return Decision.unavailable("directory unreachable");
    }
}
