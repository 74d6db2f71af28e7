package dev.ferry.users;

import dev.ferry.shared.ConflictException;
import dev.ferry.shared.InvalidInputException;
import dev.ferry.shared.NotFoundException;
import dev.ferry.shared.SecretBox;
import dev.ferry.shared.Totp;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * A user's {@link LoginPolicy} and TOTP authenticator, kept in their own table
 * ({@code user_login_factors}) beside the account: a user without a row there logs in as before
 * ({@code any}). Read at every login, so a change counts from the next login on every replica.
 * A TOTP code ({@link Totp}) is accepted once: the last accepted step moves forward by one
 * conditional update, so a replayed code fails on every replica. Wrong codes are throttled by the
 * caller (the SFTP login's failed-login count and bans).
 */
@Service
public class LoginFactors {

    private static final Logger log = LoggerFactory.getLogger(LoginFactors.class);

    private final JdbcTemplate jdbc;
    private final UserRepository users;
    /** TOTP secrets are sealed at rest: the database alone does not give the codes. */
    private final SecretBox secrets;
    private final Clock clock;

    LoginFactors(JdbcTemplate jdbc, UserRepository users, SecretBox secrets, Optional<Clock> clock) {
        this.secrets = secrets;
        this.jdbc = jdbc;
        this.users = users;
        this.clock = clock.orElse(Clock.systemUTC());
    }

    /** An account's login policy and whether it has a TOTP authenticator. */
    public record State(LoginPolicy policy, boolean totpEnrolled) {
        static final State NONE = new State(LoginPolicy.ANY, false);
    }

    /** Both at once, in one query (a user's view, a key login under key+totp). */
    @Transactional(readOnly = true)
    public State state(long userId) {
        return jdbc.query("select login_policy, totp_secret is not null as enrolled from user_login_factors where user_id = ?",
                (rs, i) -> new State(LoginPolicy.parse(rs.getString("login_policy"), LoginPolicy.ANY), rs.getBoolean("enrolled")),
                userId).stream().findFirst().orElse(State.NONE);
    }

    /** The policy of the account with this id ({@code any} for an account without one). */
    @Transactional(readOnly = true)
    public LoginPolicy policy(long userId) {
        List<String> found = jdbc.queryForList("select login_policy from user_login_factors where user_id = ?", String.class, userId);
        return found.isEmpty() ? LoginPolicy.ANY : LoginPolicy.parse(found.get(0), LoginPolicy.ANY);
    }

    @Transactional(readOnly = true)
    public boolean totpEnrolled(long userId) {
        return Boolean.TRUE.equals(jdbc.queryForObject(
                "select exists (select 1 from user_login_factors where user_id = ? and totp_secret is not null)", Boolean.class, userId));
    }

    /**
     * A second factor's code for this account: true once per code (the current 30-second step or
     * one either side, never a step at or before the last accepted one).
     */
    @Transactional
    public boolean acceptTotp(long userId, String code) {
        List<String> secret = jdbc.queryForList(
                "select totp_secret from user_login_factors where user_id = ? and totp_secret is not null", String.class, userId);
        if (secret.isEmpty()) {
            return false;
        }
        OptionalLong step = Totp.matchingStep(secrets.open(secret.get(0)), code, clock.instant());
        return step.isPresent() && jdbc.update("update user_login_factors set totp_last_step = ? where user_id = ?"
                + " and (totp_last_step is null or totp_last_step < ?)", step.getAsLong(), userId, step.getAsLong()) == 1;
    }

    /** Sets up a new authenticator for a local user; the secret is shown this once. */
    @Transactional
    public Totp.Enrolment enrolTotp(String username) {
        User user = local(username);
        if (totpEnrolled(user.id())) {
            throw new ConflictException("totp", user.username + " already has a TOTP authenticator: to move it to a new device, "
                    + "remove it first (DELETE /api/v1/users/" + user.username + "/totp), then enrol again");
        }
        String secret = Totp.newSecret();
        jdbc.update("insert into user_login_factors (user_id, totp_secret, totp_enrolled_at) values (?, ?, ?)"
                + " on conflict (user_id) do update set totp_secret = excluded.totp_secret,"
                + " totp_enrolled_at = excluded.totp_enrolled_at, totp_last_step = null",
                user.id(), secrets.seal(secret), Timestamp.from(clock.instant()));
        log.info("Enrolled a TOTP authenticator for user {}", user.username);
        return Totp.enrolment(user.username, secret);
    }

    /** Removes the authenticator (a lost device); a {@code key+totp} user cannot log in until enrolled again. */
    @Transactional
    public void removeTotp(String username) {
        User user = local(username);
        jdbc.update("update user_login_factors set totp_secret = null, totp_enrolled_at = null, totp_last_step = null"
                + " where user_id = ?", user.id());
        log.info("Removed the TOTP authenticator of user {}", user.username);
    }

    /**
     * Saves the policy asked for by a POST or PUT ({@code null}: {@code any} for a new user, the
     * current one for a replaced user), in the transaction that saves the account.
     */
    void save(User user, String requested, boolean created) {
        LoginPolicy policy = LoginPolicy.parse(requested, created ? LoginPolicy.ANY : policy(user.id()));
        if (policy != LoginPolicy.ANY && !UserService.LOCAL.equals(user.source)) {
            throw new InvalidInputException("loginPolicy", "loginPolicy '" + policy.value() + "' is for local users: "
                    + user.username + " logs in through " + user.source + ", which decides its credentials");
        }
        if (policy == LoginPolicy.KEY_AND_PASSWORD && user.passwordHash == null) {
            throw new InvalidInputException("loginPolicy", "loginPolicy 'key+password' needs a password: set \"password\" in the same request");
        }
        if (requested == null && created) {
            return; // no row: 'any'
        }
        jdbc.update("insert into user_login_factors (user_id, login_policy) values (?, ?)"
                + " on conflict (user_id) do update set login_policy = excluded.login_policy", user.id(), policy.value());
    }

    private User local(String username) {
        User user = (username == null || username.length() > 64 ? Optional.<User>empty() : users.findByUsernameIgnoreCase(username))
                .orElseThrow(() -> new NotFoundException("no user named '" + username + "'"));
        if (!UserService.LOCAL.equals(user.source)) {
            throw new InvalidInputException("totp", user.username + " is a user from " + user.source
                    + ", which decides its credentials: TOTP enrolment is for local users");
        }
        return user;
    }
}
