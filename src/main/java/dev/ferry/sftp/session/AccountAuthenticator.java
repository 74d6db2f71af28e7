package dev.ferry.sftp.session;

import dev.ferry.audit.AuditText;
import dev.ferry.identity.Credential;
import dev.ferry.identity.Decision;
import dev.ferry.identity.ExternalIdentities;
import dev.ferry.identity.ExternalLogin;
import dev.ferry.sftp.transport.ClientAddress;
import dev.ferry.usercas.UserCas;
import dev.ferry.users.KeyLogin;
import dev.ferry.users.LoginFactors;
import dev.ferry.users.LoginAccount;
import dev.ferry.users.SshPublicKey;
import dev.ferry.users.UserService;
import java.net.InetAddress;
import java.security.PublicKey;
import java.time.Clock;
import java.util.Optional;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.apache.sshd.server.auth.password.PasswordAuthenticator;
import org.apache.sshd.server.auth.pubkey.PublickeyAuthenticator;
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
 * An expired key is refused; a key's use is recorded in memory ({@link UserService#keyUsed}).
 * An OpenSSH certificate logs in through {@link CertificateCheck}, never through the user's key
 * list, so a CA key put among a user's keys does not let that CA's certificates in.
 * A user whose login policy asks for two factors logs in with a key or certificate and then the
 * password or a TOTP code ({@link SecondFactor}).
 */
public final class AccountAuthenticator implements PublickeyAuthenticator, PasswordAuthenticator {

    private static final Logger log = LoggerFactory.getLogger(AccountAuthenticator.class);

    /** A key an identity source accepted, waiting for the client's signature before its account is provisioned. */
    private static final AttributeKey<ExternalLogin> PENDING_EXTERNAL = new AttributeKey<>();

    private final UserService users;
    private final ExternalIdentities identities;
    private final SessionAdmission sessions;
    private final Clock clock;
    private final UserCas cas;
    private final CertificateCheck certificates;
    private final SecondFactor secondFactor;

    public AccountAuthenticator(UserService users, ExternalIdentities identities, SessionAdmission sessions, UserCas cas,
            LoginFactors factors, Clock clock) {
        this.users = users;
        this.identities = identities;
        this.sessions = sessions;
        this.clock = clock;
        this.cas = cas;
        this.certificates = new CertificateCheck(cas, clock);
        this.secondFactor = new SecondFactor(factors, users, sessions, this::admit, clock);
    }

    /** The TOTP step of the {@code key+totp} login policy (MINA's keyboard-interactive authenticator). */
    public SecondFactor secondFactor() {
        return secondFactor;
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
        if (key instanceof OpenSshCertificate certificate) {
            return authenticateCertificate(username, certificate, session);
        }
        byte[] blob = blobOf(key);
        String fingerprint = SshPublicKey.fingerprintOf(blob);
        Optional<String> revoked = cas.krlRevokesKey(blob);
        if (revoked.isPresent()) {
            refuse(session, username, "key " + fingerprint + " is revoked: " + revoked.get());
            return false;
        }
        LoginAccount checked = session.getAttribute(SessionAccount.ACCOUNT);
        if (checked != null && session.getAttribute(SessionAccount.KEY_ID) != null
                && fingerprint.equals(session.getAttribute(SessionAccount.KEY_FINGERPRINT))
                && checked.username().equalsIgnoreCase(username)) {
            // (KEY_ID: a stored key's, never the key inside a certificate accepted moments ago)
            // The same key, asked again once the client signed with it: answered in this session moments ago.
            return true;
        }
        ExternalLogin pending = session.getAttribute(PENDING_EXTERNAL);
        if (pending != null && fingerprint.equals(session.getAttribute(SessionAccount.KEY_FINGERPRINT))
                && pending.decision().profile().username().equalsIgnoreCase(username)) {
            return true;
        }
        session.removeAttribute(PENDING_EXTERNAL);
        Optional<KeyLogin> found = users.findKeyLogin(username, blob);
        if (found.isEmpty() && identities.any()) {
            ExternalLogin external = external(session, username, new Credential.PublicKey(blob));
            if (external.allowed()) {
                session.setAttribute(PENDING_EXTERNAL, external);
                session.setAttribute(SessionAccount.KEY_FINGERPRINT, fingerprint);
                session.removeAttribute(SessionAccount.KEY_ID);
                return true;
            }
            return false;
        }
        if (!usable(found.map(KeyLogin::account), session, "publickey")) {
            return false;
        }
        KeyLogin stored = found.get();
        if (stored.expiredAt(clock.instant())) {
            refuse(session, stored.account().username(), "key expired: " + fingerprint + " expired at " + stored.expiresAt());
            return false;
        }
        session.setAttribute(SessionAccount.ACCOUNT, stored.account());
        session.setAttribute(SessionAccount.KEY_FINGERPRINT, fingerprint);
        session.setAttribute(SessionAccount.KEY_ID, stored.keyId());
        return true;
    }

    /**
     * Checks a certificate before MINA does (MINA refuses bad ones without saying why), so the
     * refusal is audited with its reason; the result is kept for the session, as OpenSSH offers a
     * certificate once to ask and once signed.
     */
    boolean certificateAllowed(String username, OpenSshCertificate certificate, ServerSession session,
            CertificateCheck.CaSignature signature) {
        session.setAttribute(SessionAccount.ATTEMPTED_USER, username);
        if (refusedName(session, username) || sessions.refuseIfBanned(session, username)) {
            return false;
        }
        String checked = SshPublicKey.fingerprintOf(blobOf(certificate)) + " " + username;
        if (checked.equals(session.getAttribute(SessionAccount.CERTIFICATE_ACCEPTED))) {
            return true;
        }
        CertificateCheck.Outcome outcome = certificates.check(certificate, username, ClientAddress.of(session), signature);
        if (outcome.refusal() != null) {
            refuse(session, username, outcome.refusal());
            return false;
        }
        session.setAttribute(SessionAccount.CERTIFICATE_ACCEPTED, checked);
        log.info("Certificate {} of CA {} passed the checks for {} from {}", CertificateCheck.describe(certificate),
                outcome.ca().caName(), username, ClientAddress.of(session));
        return true;
    }

    /** A malformed certificate blob: refused and audited, the connection stays up for other methods. */
    void malformedCertificate(String username, ServerSession session) {
        session.setAttribute(SessionAccount.ATTEMPTED_USER, username);
        if (!refusedName(session, username)) {
            refuse(session, username, "malformed certificate");
        }
    }

    private boolean authenticateCertificate(String username, OpenSshCertificate certificate, ServerSession session) {
        String checked = SshPublicKey.fingerprintOf(blobOf(certificate)) + " " + username;
        if (!checked.equals(session.getAttribute(SessionAccount.CERTIFICATE_ACCEPTED))) {
            return false; // not checked by AdmittingPublicKeyAuth: never accepted unchecked
        }
        // Users from LDAP or the auth hook log in through their source, which decides whether the account
        // still exists and is enabled: a certificate must not outlive a disabled directory account.
        Optional<LoginAccount> account = users.findLocalLoginAccount(username);
        if (account.isEmpty()) {
            refuse(session, username, "certificate " + CertificateCheck.describe(certificate) + " is valid, but "
                    + (users.findLoginAccount(username).isPresent()
                            ? username + " is a user from LDAP or the auth hook, which logs in through its source"
                            : "there is no user " + username));
            return false;
        }
        if (!usable(account, session, "certificate")) {
            return false;
        }
        session.setAttribute(SessionAccount.ACCOUNT, account.get());
        session.setAttribute(SessionAccount.KEY_FINGERPRINT, SshPublicKey.fingerprintOf(blobOf(certificate.getCertPubKey())));
        session.removeAttribute(SessionAccount.KEY_ID);
        return true;
    }

    private void refuse(ServerSession session, String username, String reason) {
        log.info("Refused publickey login of {} from {}: {}", AuditText.needsEscaping(username) ? "?" : username,
                ClientAddress.of(session), reason);
        if (session.getAttribute(SessionAccount.REFUSAL_AUDITED) == null) {
            sessions.refused(session, username, reason);
        }
    }

    private static byte[] blobOf(PublicKey key) {
        return CertificateCheck.blob(key);
    }

    @Override
    public boolean authenticate(String username, String password, ServerSession session) {
        session.setAttribute(SessionAccount.ATTEMPTED_USER, username);
        if (refusedName(session, username) || sessions.refuseIfBanned(session, username)) {
            return false;
        }
        if (secondFactor.waiting(session)) {
            return secondFactor.password(session, username, password);
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
        if (!usable(account, session, "password") || !secondFactor.passwordAloneAllowed(session, account.get())) {
            return false;
        }
        session.setAttribute(SessionAccount.ACCOUNT, account.get());
        session.removeAttribute(SessionAccount.KEY_FINGERPRINT);
        session.removeAttribute(SessionAccount.KEY_ID);
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

    /**
     * The client proved it holds the key or certificate: admits the session, or, when the user's
     * login policy asks for a second factor, waits for it (MINA then answers partial success).
     */
    boolean keyVerified(ServerSession session) {
        LoginAccount account = session.getAttribute(SessionAccount.ACCOUNT);
        if (session.getAttribute(PENDING_EXTERNAL) == null && account != null) {
            Boolean waiting = secondFactor.afterKey(session, account);
            if (waiting != null) {
                return waiting;
            }
        }
        return admit(session);
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
        Long keyId = session.getAttribute(SessionAccount.KEY_ID);
        if (keyId != null) {
            users.keyUsed(keyId, clock.instant());
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
}
