package dev.ferry.identity;

import dev.ferry.shared.AccountNames;
import dev.ferry.users.ExternalUsers;
import dev.ferry.users.LoginAccount;
import dev.ferry.users.UserService;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * The seam between logins and identity sources: asked only after the local check failed, it
 * consults the configured sources (LDAP first, then the hook) for names no local user holds, and
 * provisions an admitted user just in time as a row of {@code users} marked with its source.
 * Checking and provisioning are separate because a public key is checked before the client
 * proves it holds it: the row is written only once the login is verified.
 */
@Service
public class ExternalIdentities {

    private static final Logger log = LoggerFactory.getLogger(ExternalIdentities.class);

    private final List<IdentitySource> sources;
    private final ExternalUsers users;

    ExternalIdentities(List<IdentitySource> sources, ExternalUsers users) {
        this.sources = List.copyOf(sources);
        this.users = users;
    }

    /** Whether any source is configured (otherwise logins never get here). */
    public boolean any() {
        return !sources.isEmpty();
    }

    /** The answer of the first source that knows {@code username}; nobody's when a local user holds the name. */
    public ExternalLogin check(String username, Credential credential, String clientAddress, String protocol) {
        if (sources.isEmpty() || !AccountNames.isValid(username)) {
            return ExternalLogin.NOBODY;
        }
        Optional<String> owner = users.sourceOf(username);
        if (owner.isPresent() && owner.get().equals(UserService.LOCAL)) {
            return ExternalLogin.NOBODY; // local users win
        }
        for (IdentitySource source : sources) {
            if (owner.isPresent() && !owner.get().equals(source.name())) {
                continue; // a user first admitted by another source stays that source's
            }
            Decision decision;
            try {
                decision = source.authenticate(username, credential, clientAddress, protocol);
            } catch (RuntimeException e) {
                log.warn("Identity source {} failed on the login of {}: {}", source.name(), username, e.toString());
                decision = Decision.unavailable("the source failed: " + e.getClass().getSimpleName());
            }
            if (decision.outcome() != Decision.Outcome.UNKNOWN) {
                return new ExternalLogin(source.name(), decision);
            }
        }
        return ExternalLogin.NOBODY;
    }

    /** The account of an allowed login, its row created or updated from the profile; empty (logged) if that fails. */
    public Optional<LoginAccount> provision(ExternalLogin login) {
        if (!login.allowed() || login.source() == null || login.decision().profile() == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(users.provision(login.source(), login.decision().profile()));
        } catch (RuntimeException e) {
            log.warn("Refused the {} login of {}: its profile cannot be applied: {}", login.source(),
                    login.decision().profile().username(), e.getMessage());
            return Optional.empty();
        }
    }
}
