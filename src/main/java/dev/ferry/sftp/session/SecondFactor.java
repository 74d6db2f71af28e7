package dev.ferry.sftp.session;

import dev.ferry.sftp.transport.ClientAddress;
import dev.ferry.users.LoginAccount;
import dev.ferry.users.LoginFactors;
import dev.ferry.users.LoginPolicy;
import dev.ferry.users.UserService;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.server.auth.keyboard.InteractiveChallenge;
import org.apache.sshd.server.auth.keyboard.KeyboardInteractiveAuthenticator;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The second factor of a user's {@link LoginPolicy}, as OpenSSH's {@code AuthenticationMethods
 * publickey,password} and {@code publickey,keyboard-interactive}: once the key or certificate of
 * such a user is verified, the session waits for the password or a TOTP code (keyboard-interactive,
 * one prompt "Verification code: ") and the client is told "partial success"; neither factor alone
 * logs in, and a password first is refused. The policy is read from the database when the key is
 * verified, so a change counts from the next login on every replica.
 * <p>
 * What the session waits for lives on the session ({@link #pendingMethod}), not in MINA's
 * {@code ssh-userauth} service: MINA's own {@code auth-methods} is fixed when the service starts,
 * before the username is known, and paramiko starts a new service before each method, which
 * would forget the first factor. {@code AuthAttemptLimit}'s service answers partial success and the
 * remaining method from it.
 * <p>
 * A wrong second factor is audited (LOGIN_FAILED with the reason) and counted towards the bans like
 * a wrong password; a TOTP code is accepted once ({@link LoginFactors#acceptTotp}).
 */
public final class SecondFactor implements KeyboardInteractiveAuthenticator {

    private static final Logger log = LoggerFactory.getLogger(SecondFactor.class);
    static final String PROMPT = "Verification code: ";

    /** The policy whose second factor this session waits for, set once the key was verified. */
    private static final AttributeKey<LoginPolicy> PENDING = new AttributeKey<>();

    private final LoginFactors factors;
    private final UserService users;
    private final SessionAdmission sessions;
    private final Predicate<ServerSession> admit;
    private final Clock clock;

    SecondFactor(LoginFactors factors, UserService users, SessionAdmission sessions, Predicate<ServerSession> admit, Clock clock) {
        this.clock = clock;
        this.factors = factors;
        this.users = users;
        this.sessions = sessions;
        this.admit = admit;
    }

    /** The SSH method this session must authenticate with next ({@code password}, {@code keyboard-interactive}), or null. */
    public static String pendingMethod(Session session) {
        LoginPolicy pending = session.getAttribute(PENDING);
        return pending == null ? null : pending.secondMethod();
    }

    /**
     * The key or certificate of {@code account} was verified: null when its policy needs nothing
     * more (admit now), true when the session now waits for the second factor, false when it
     * cannot log in (key+totp without an enrolled authenticator).
     */
    Boolean afterKey(ServerSession session, LoginAccount account) {
        session.removeAttribute(PENDING);
        LoginFactors.State state = factors.state(account.id());
        LoginPolicy policy = state.policy();
        if (policy == LoginPolicy.ANY) {
            return null;
        }
        if (policy == LoginPolicy.KEY_AND_TOTP && !state.totpEnrolled()) {
            String reason = "login policy key+totp, but no TOTP authenticator is enrolled: an admin enrols one with "
                    + "POST /api/v1/users/" + account.username() + "/totp";
            log.warn("Refused login of {} from {}: {}", account.username(), ClientAddress.of(session), reason);
            sessions.refused(session, account.username(), reason);
            session.setAttribute(SessionAccount.FAILURE_COUNTED, Boolean.TRUE); // a setup gap, not a guess
            return false;
        }
        session.setAttribute(PENDING, policy);
        log.info("Key of {} from {} verified; login policy {} asks for the {} next", account.username(),
                ClientAddress.of(session), policy.value(), policy.secondMethod());
        return true;
    }

    /** Whether a password alone may log in {@code account}; refused (and audited) when its policy wants a key first. */
    boolean passwordAloneAllowed(ServerSession session, LoginAccount account) {
        LoginPolicy policy = factors.policy(account.id());
        if (policy == LoginPolicy.ANY) {
            return true;
        }
        String reason = "login policy " + policy.value() + ": a key or certificate must come first";
        log.info("Refused password login of {} from {}: {}", account.username(), ClientAddress.of(session), reason);
        sessions.refused(session, account.username(), reason);
        session.setAttribute(SessionAccount.FAILURE_COUNTED, Boolean.TRUE); // the password was right: not a guess
        return false;
    }

    /** Whether the session waits for a second factor (then {@link #password} answers a password). */
    boolean waiting(ServerSession session) {
        return session.getAttribute(PENDING) != null;
    }

    /** The password as the second factor: it must be the password of the account whose key was verified. */
    boolean password(ServerSession session, String username, String password) {
        if (session.getAttribute(PENDING) != LoginPolicy.KEY_AND_PASSWORD) {
            return false; // not the method this session waits for; nothing checked, nothing learnt
        }
        LoginAccount keyed = SessionAccount.account(session);
        Optional<LoginAccount> account = users.findByPassword(username, password).filter(a -> a.id() == keyed.id());
        if (account.isEmpty()) {
            failed(session, keyed, "wrong password after a valid key (login policy key+password)");
            return false;
        }
        return passed(session, account.get());
    }

    @Override
    public InteractiveChallenge generateChallenge(ServerSession session, String username, String lang, String subMethods) {
        if (session.getAttribute(PENDING) != LoginPolicy.KEY_AND_TOTP || sessions.refuseIfBanned(session, username)) {
            return null; // keyboard-interactive is only ever the TOTP step after a key
        }
        InteractiveChallenge challenge = new InteractiveChallenge();
        challenge.setInteractionName("");
        challenge.setInteractionInstruction("");
        challenge.setLanguageTag("");
        challenge.addPrompt(PROMPT, false);
        return challenge;
    }

    @Override
    public boolean authenticate(ServerSession session, String username, List<String> responses) {
        if (session.getAttribute(PENDING) != LoginPolicy.KEY_AND_TOTP || sessions.refuseIfBanned(session, username)) {
            return false;
        }
        LoginAccount keyed = SessionAccount.account(session);
        if (responses.size() != 1 || !factors.acceptTotp(keyed.id(), responses.get(0))) {
            failed(session, keyed, "wrong or already used TOTP code after a valid key (login policy key+totp)");
            return false;
        }
        return passed(session, keyed);
    }

    private boolean passed(ServerSession session, LoginAccount account) {
        String refusal = account.refusal(clock.instant());
        if (refusal != null) {
            sessions.refused(session, account.username(), refusal);
            return false;
        }
        session.removeAttribute(PENDING);
        session.setAttribute(SessionAccount.ACCOUNT, account);
        return admit.test(session);
    }

    /** Audited with its reason and counted towards the bans, as a wrong password is. */
    private void failed(ServerSession session, LoginAccount account, String reason) {
        log.info("Refused login of {} from {}: {}", account.username(), ClientAddress.of(session), reason);
        sessions.refused(session, account.username(), reason);
        sessions.countFailure(session, account.username());
    }
}
