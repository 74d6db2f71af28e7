package dev.ferry.sftp.session;

import dev.ferry.audit.AuditText;
import dev.ferry.identity.Credential;
import dev.ferry.identity.Decision;
import dev.ferry.identity.ExternalIdentities;
import dev.ferry.identity.ExternalLogin;
import dev.ferry.sftp.transport.ClientAddress;
import dev.ferry.users.LoginAccount;
import dev.ferry.users.SshPublicKey;
import dev.ferry.users.UserService;
import java.net.InetAddress;
import java.security.PublicKey;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.server.auth.password.PasswordAuthenticator;
import org.apache.sshd.server.auth.pubkey.PublickeyAuthenticator;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKey;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks public keys and passwords against the accounts in PostgreSQL at every login, so keys
 * added or removed through the admin API count from the next login on. Disabled and expired
 * accounts are refused whatever the credential. A verified credential is then admitted by
 * {@link SessionAdmission} (allowed IPs, session cap); a refusal there fails the authentication.
 * A name no local user holds is passed on to the identity sources ({@link ExternalIdentities}:
 * LDAP, the auth hook), whose admitted users get an account row just in time.
 */
public final class AccountAuthenticator implements PublickeyAuthenticator, PasswordAuthenticator {

    private static final Logger log = LoggerFactory.getLogger(AccountAuthenticator.class);

    /** A key an identity source accepted, waiting for the client's signature before its account is provisioned. */
    private static final AttributeKey<ExternalLogin> PENDING_EXTERNAL = new AttributeKey<>();

    private final UserService users;
    private final ExternalIdentities identities;
    private final SessionAdmission sessions;
    private final Clock clock;

    public AccountAuthenticator(UserService users, ExternalIdentities identities, SessionAdmission sessions, Clock clock) {
        this.users = users;
        this.identities = identities;
        this.sessions = sessions;
        this.clock = clock;
    }

    /**
     * MINA asks for a key both before and after the client proves it holds it; this only says
     * whether the key is the user's. Admission follows in {@link AdmittingPublicKeyAuth} once the
     * signature is verified.
     */
    @Override
    public boolean authenticate(String username, PublicKey key, ServerSession session) {
        session.setAttribute(SessionAccount.ATTEMPTED_USER, username);
        if (refusedName(session, username) || sessions.refuseIfBanned(session, username)) {
            return false;
        }
        ByteArrayBuffer buffer = new ByteArrayBuffer();
        buffer.putRawPublicKey(key);
        byte[] blob = buffer.getCompactData();
        String fingerprint = SshPublicKey.fingerprintOf(blob);
        LoginAccount checked = session.getAttribute(SessionAccount.ACCOUNT);
        if (checked != null && fingerprint.equals(session.getAttribute(SessionAccount.KEY_FINGERPRINT))
                && checked.username().equalsIgnoreCase(username)) {
            // The same key, asked again once the client signed with it: answered in this session moments ago.
            return true;
        }
        ExternalLogin pending = session.getAttribute(PENDING_EXTERNAL);
        if (pending != null && fingerprint.equals(session.getAttribute(SessionAccount.KEY_FINGERPRINT))
                && pending.decision().profile().username().equalsIgnoreCase(username)) {
            return true;
        }
        session.removeAttribute(PENDING_EXTERNAL);
        Optional<LoginAccount> account = users.findByKey(username, blob);
        if (account.isEmpty() && identities.any()) {
            ExternalLogin external = external(session, username, new Credential.PublicKey(blob));
            if (external.allowed()) {
                session.setAttribute(PENDING_EXTERNAL, external);
                session.setAttribute(SessionAccount.KEY_FINGERPRINT, fingerprint);
                return true;
            }
            return false;
        }
        if (!usable(account, session, "publickey")) {
            return false;
        }
        session.setAttribute(SessionAccount.ACCOUNT, account.get());
        session.setAttribute(SessionAccount.KEY_FINGERPRINT, fingerprint);
        return true;
    }

    @Override
    public boolean authenticate(String username, String password, ServerSession session) {
        session.setAttribute(SessionAccount.ATTEMPTED_USER, username);
        if (refusedName(session, username) || sessions.refuseIfBanned(session, username)) {
            return false;
        }
        Optional<LoginAccount> account = users.findByPassword(username, password);
        if (account.isEmpty() && identities.any()) {
            ExternalLogin external = external(session, username, new Credential.Password(password));
            if (external.outcome() == Decision.Outcome.UNAVAILABLE) {
                return false; // not the client's fault: not counted towards a ban
            }
            account = external.allowed() ? identities.provision(external) : Optional.empty();
        }
        if (account.isEmpty()) {
            // Every wrong password counts: an attacker gets a few guesses per connection, not per ban window.
            sessions.countFailure(session, username);
            return false;
        }
        if (!usable(account, session, "password")) {
            return false;
        }
        session.setAttribute(SessionAccount.ACCOUNT, account.get());
        session.removeAttribute(SessionAccount.KEY_FINGERPRINT);
        return admit(session);
    }

    /**
     * A name with control characters (a NUL, a line break) is nobody's account name (see
     * {@code AccountNames}): it is refused before it reaches a lookup, audited once with the
     * characters escaped (see {@code AuditText}) and counted as a failed login of the address.
     */
    private boolean refusedName(ServerSession session, String username) {
        if (!AuditText.needsEscaping(username)) {
            return false;
        }
        if (session.getAttribute(SessionAccount.REFUSAL_AUDITED) == null) {
            log.info("Refused a login from {}: the username contains control characters", ClientAddress.of(session));
            sessions.refused(session, username, "the username contains control characters");
        }
        if (session.getAttribute(SessionAccount.FAILURE_COUNTED) == null) {
            sessions.countFailure(session, username);
        }
        return true;
    }

    /**
     * Asks the identity sources; a refusal they explain (disabled in the directory, directory
     * unreachable) is audited with its reason, and a source that could not answer does not count
     * against the client's address.
     */
    private ExternalLogin external(ServerSession session, String username, Credential credential) {
        InetAddress address = ClientAddress.of(session);
        ExternalLogin external = identities.check(username, credential, address == null ? "unknown" : address.getHostAddress(), "sftp");
        String method = credential instanceof Credential.Password ? "password" : "publickey";
        switch (external.outcome()) {
            case DENIED -> log.info("Refused {} login of {} from {}: {}", method, username, ClientAddress.of(session), external.describe());
            case REFUSED, UNAVAILABLE -> {
                log.info("Refused {} login of {} from {}: {}", method, username, ClientAddress.of(session), external.describe());
                if (session.getAttribute(SessionAccount.REFUSAL_AUDITED) == null) {
                    sessions.refused(session, username, external.describe());
                }
                if (external.outcome() == Decision.Outcome.UNAVAILABLE) {
                    session.setAttribute(SessionAccount.FAILURE_COUNTED, Boolean.TRUE);
                }
            }
            default -> {
            }
        }
        return external;
    }

    /** Registers the session of a verified login, or refuses it (allowed IPs, session cap). */
    boolean admit(ServerSession session) {
        ExternalLogin pending = session.removeAttribute(PENDING_EXTERNAL);
        if (pending != null) {
            // the client proved it holds the key an identity source accepted: now the account row
            Optional<LoginAccount> provisioned = identities.provision(pending);
            if (provisioned.isEmpty()) {
                return false;
            }
            session.setAttribute(SessionAccount.ACCOUNT, provisioned.get());
        }
        LoginAccount account = SessionAccount.account(session);
        String refusal = sessions.admit(session, account);
        if (refusal != null) {
            log.info("Refused login of {} from {}: {}", account.username(), ClientAddress.of(session), refusal);
            return false;
        }
        return true;
    }

    private boolean usable(Optional<LoginAccount> found, ServerSession session, String method) {
        if (found.isEmpty()) {
            return false;
        }
        String refusal = found.get().refusal(clock.instant());
        if (refusal != null) {
            log.info("Refused {} login of {} from {}: {}", method, found.get().username(), ClientAddress.of(session), refusal);
            if (session.getAttribute(SessionAccount.REFUSAL_AUDITED) == null) {
                sessions.refused(session, found.get().username(), refusal);
            }
            return false;
        }
        return true;
    }

    /** MINA's public key method, admitting the session only after the signature is verified. */
    static final class AdmittingPublicKeyAuth extends UserAuthPublicKey {

        private final AccountAuthenticator authenticator;

        AdmittingPublicKeyAuth(List<NamedFactory<Signature>> signatures, AccountAuthenticator authenticator) {
            super(signatures);
            this.authenticator = authenticator;
        }

        @Override
        public Boolean doAuth(Buffer buffer, boolean init) throws Exception {
            Boolean result = super.doAuth(buffer, init);
            if (Boolean.TRUE.equals(result)) {
                return authenticator.admit(getServerSession());
            }
            return result;
        }
    }

    public static final class AdmittingPublicKeyAuthFactory extends UserAuthPublicKeyFactory {

        private final AccountAuthenticator authenticator;

        public AdmittingPublicKeyAuthFactory(AccountAuthenticator authenticator) {
            this.authenticator = authenticator;
        }

        @Override
        public UserAuthPublicKey createUserAuth(ServerSession session) {
            return new AdmittingPublicKeyAuth(getSignatureFactories(), authenticator);
        }
    }
}
