package dev.ferry.identity.ldap;

import dev.ferry.users.SshPublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.naming.directory.DirContext;
import javax.naming.ldap.LdapName;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.ldap.core.ContextMapper;
import org.springframework.ldap.core.DirContextOperations;
import org.springframework.ldap.core.LdapTemplate;
import org.springframework.ldap.core.support.LdapContextSource;
import org.springframework.ldap.query.LdapQueryBuilder;
import org.springframework.ldap.query.SearchScope;
import org.springframework.ldap.support.LdapUtils;

/**
 * The directory through Spring LDAP: finds a user's entry with the service account (every value put
 * in a filter is escaped by {@link LdapQueryBuilder#filter(String, Object...)}, so a name such as
 * {@code *)(uid=*} matches nobody) and checks a password by binding as the entry's DN. Spring LDAP
 * turns failures into its runtime exceptions: {@link org.springframework.ldap.AuthenticationException}
 * for a wrong password, others for a directory that cannot answer.
 */
class LdapDirectory {

    private static final Logger log = LoggerFactory.getLogger(LdapDirectory.class);
    /** AD's userAccountControl ACCOUNTDISABLE flag. */
    private static final int ACCOUNT_DISABLED = 0x2;

    private final LdapProperties properties;
    private final LdapContextSource contexts;
    private final LdapTemplate ldap;

    LdapDirectory(LdapProperties properties) {
        this.properties = properties;
        this.contexts = new LdapContextSource();
        contexts.setUrl(properties.url());
        contexts.setBase(properties.base());
        if (properties.bindDn() == null) {
            contexts.setAnonymousReadOnly(true);
        } else {
            contexts.setUserDn(properties.bindDn());
            contexts.setPassword(properties.bindPassword() == null ? "" : properties.bindPassword());
        }
        String millis = Long.toString(properties.timeout().toMillis());
        Map<String, Object> env = new HashMap<>();
        env.put("com.sun.jndi.ldap.connect.timeout", millis);
        env.put("com.sun.jndi.ldap.read.timeout", millis);
        contexts.setBaseEnvironmentProperties(env);
        // The service account's searches reuse connections (JNDI's pool); user binds never do.
        contexts.setPooled(true);
        contexts.afterPropertiesSet();
        this.ldap = new LdapTemplate(contexts);
        ldap.setIgnorePartialResultException(true); // AD answers referrals to other domains
    }

    /** The user's entry, or null when the filter matches nobody; more than one match is an error of the filter. */
    @Nullable
    DirectoryEntry find(String username) {
        List<DirContextOperations> found = ldap.search(query().countLimit(2).filter(properties.userFilter(), username),
                (ContextMapper<DirContextOperations>) ctx -> (DirContextOperations) ctx);
        if (found.isEmpty()) {
            return null;
        }
        if (found.size() > 1) {
            throw new IllegalStateException("sftp.ldap.user-filter " + properties.userFilter() + " matches more than one entry for "
                    + username + ": make it match one");
        }
        DirContextOperations entry = found.get(0);
        String dn = entry.getNameInNamespace();
        String name = entry.getStringAttribute(properties.usernameAttribute());
        String spelled = name != null && name.equalsIgnoreCase(username) ? name : username;
        List<String> groups = new ArrayList<>(values(entry, properties.groupAttribute()));
        if (properties.groupSearchBase() != null) {
            groups.addAll(ldap.search(LdapQueryBuilder.query().base(properties.groupSearchBase()).searchScope(SearchScope.SUBTREE)
                    .timeLimit(timeLimit()).attributes("cn").filter(properties.groupSearchFilter(), dn, username),
                    (ContextMapper<String>) ctx -> ((DirContextOperations) ctx).getNameInNamespace()));
        }
        return new DirectoryEntry(dn, spelled, keys(entry, dn), groups, disabled(entry, username));
    }

    /** Binds as {@code dn}: returns if the password is right, throws Spring LDAP's AuthenticationException if not. */
    void bind(String dn, String password) {
        DirContext context = contexts.getContext(dn, password);
        LdapUtils.closeContext(context);
    }

    /** The value of the DN's first RDN ({@code cn=partners,ou=groups,...} -> {@code partners}), or the DN. */
    static String shortName(String dn) {
        try {
            LdapName name = LdapUtils.newLdapName(dn);
            return name.size() == 0 ? dn : String.valueOf(name.getRdn(name.size() - 1).getValue());
        } catch (RuntimeException e) {
            return dn;
        }
    }

    private boolean disabled(DirContextOperations entry, String username) {
        String control = entry.getStringAttribute("userAccountControl");
        if (control != null) {
            try {
                if ((Long.parseLong(control.trim()) & ACCOUNT_DISABLED) != 0) {
                    return true;
                }
            } catch (NumberFormatException e) {
                log.warn("userAccountControl of {} is not a number: {}", entry.getNameInNamespace(), control);
            }
        }
        if (properties.disabledFilter() == null) {
            return false;
        }
        // the user filter and the disabled filter together: the same entry again if it is disabled
        return !ldap.search(query().countLimit(1).filter("(&" + properties.userFilter() + properties.disabledFilter() + ")", username),
                (ContextMapper<String>) ctx -> ((DirContextOperations) ctx).getNameInNamespace()).isEmpty();
    }

    private List<byte[]> keys(DirContextOperations entry, String dn) {
        List<byte[]> keys = new ArrayList<>();
        for (String line : values(entry, properties.keyAttribute())) {
            try {
                keys.add(Base64.getDecoder().decode(SshPublicKey.parse(properties.keyAttribute(), line.trim()).blob()));
            } catch (RuntimeException e) {
                log.warn("Ignored a value of {} of {}: not an OpenSSH public key", properties.keyAttribute(), dn);
            }
        }
        return keys;
    }

    private static List<String> values(DirContextOperations entry, String attribute) {
        String[] values = entry.getStringAttributes(attribute);
        return values == null ? List.of() : List.of(values);
    }

    private LdapQueryBuilder query() {
        return LdapQueryBuilder.query().searchScope(SearchScope.SUBTREE).timeLimit(timeLimit())
                .attributes(properties.usernameAttribute(), properties.keyAttribute(), properties.groupAttribute(), "userAccountControl");
    }

    private int timeLimit() {
        return (int) Math.min(Integer.MAX_VALUE, properties.timeout().toMillis());
    }

    String url() {
        return properties.url();
    }
}
