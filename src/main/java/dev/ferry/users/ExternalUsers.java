package dev.ferry.users;

import dev.ferry.shared.AccountNames;
import dev.ferry.shared.ConflictException;
import dev.ferry.shared.InvalidInputException;
import dev.ferry.storage.HomeLocation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The rows of users an identity source (LDAP, the auth hook) admitted: created at their first login
 * and updated at each one from the profile the source gave, with no password and no keys, so they
 * are listed, limited and audited like local users. Apart from {@link UserService} because the
 * source, not an admin, decides what they hold; the validation of the fields is the same.
 */
@Service
public class ExternalUsers {

    private static final Logger log = LoggerFactory.getLogger(ExternalUsers.class);

    private final UserRepository users;
    private final UserService service;
    private final TransactionTemplate tx;
    private final Clock clock;

    ExternalUsers(UserRepository users, UserService service, TransactionTemplate tx, Optional<Clock> clock) {
        this.users = users;
        this.service = service;
        this.tx = tx;
        this.clock = clock.orElse(Clock.systemUTC());
    }

    /**
     * The source of the user of this name ({@link UserService#LOCAL} or an identity source's name), or empty
     * when no user has it: identity sources are asked only about names no local user holds.
     */
    @Transactional(readOnly = true)
    public Optional<String> sourceOf(String username) {
        if (!AccountNames.isValid(username)) {
            return Optional.empty();
        }
        return users.findByUsernameIgnoreCase(username).map(user -> user.source);
    }

    /**
     * Creates or updates the row of a user an identity source just admitted (no password, no keys:
     * the source decides every login), so it is listed and audited like a local one. Refused when
     * the name belongs to a local user or to another source, or when the profile moves the home.
     */
    public LoginAccount provision(String source, UserSpec profile) {
        String username = UserRules.username(profile.username());
        try {
            return tx.execute(status -> upsertExternal(source, username, profile));
        } catch (DataIntegrityViolationException e) {
            // two first logins at once: the other one created the row, update it
            return tx.execute(status -> upsertExternal(source, username, profile));
        }
    }

    private LoginAccount upsertExternal(String source, String username, UserSpec profile) {
        Optional<User> existing = users.findByUsernameIgnoreCase(username);
        if (existing.isPresent()) {
            User user = existing.get();
            if (!source.equals(user.source)) {
                throw new ConflictException("username", "'" + username + "' is a " + user.source + " user, not one of " + source);
            }
            HomeLocation before = user.home();
            service.apply(user, profile);
            if (!user.home().equals(before)) {
                throw new InvalidInputException("storage", "the profile of " + username + " moved its home from " + before
                        + " to " + user.home() + ": a home cannot move; fix the profile mapping or delete the user");
            }
            users.saveAndFlush(user);
            return service.account(user);
        }
        User user = new User();
        user.username = username;
        user.source = source;
        user.createdAt = clock.instant();
        service.apply(user, profile);
        users.saveAndFlush(user);
        try {
            service.backend(user).createHome(user.home());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the home of " + username, e);
        }
        log.info("Created {} user {} at its first login", source, username);
        return service.account(user);
    }
}
