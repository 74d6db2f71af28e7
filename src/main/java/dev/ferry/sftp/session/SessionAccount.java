package dev.ferry.sftp.session;

import dev.ferry.storage.UserHome;
import dev.ferry.users.LoginAccount;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.session.SessionContext;

/** Per-session facts set at login: the account and, once the subsystem starts, its opened home. */
public final class SessionAccount {

    static final AttributeKey<LoginAccount> ACCOUNT = new AttributeKey<>();
    public static final AttributeKey<UserHome> HOME = new AttributeKey<>();
    public static final AttributeKey<FerrySession> FERRY_SESSION = new AttributeKey<>();
    /** SHA256 fingerprint of the key a session logged in with (null for passwords). */
    static final AttributeKey<String> KEY_FINGERPRINT = new AttributeKey<>();
    /** Id of the stored key a session logged in with (null for passwords and certificates), for lastUsedAt. */
    static final AttributeKey<Long> KEY_ID = new AttributeKey<>();
    /** "certificate fingerprint username" of a certificate that passed CertificateCheck in this session. */
    static final AttributeKey<String> CERTIFICATE_ACCEPTED = new AttributeKey<>();
    /** The username a client tried to log in as, for LOGIN_FAILED records. */
    static final AttributeKey<String> ATTEMPTED_USER = new AttributeKey<>();
    /** Set once a refusal with its reason was audited, so closing does not record it again. */
    static final AttributeKey<Boolean> REFUSAL_AUDITED = new AttributeKey<>();
    /** Set once this connection's failed login was counted against its address. */
    static final AttributeKey<Boolean> FAILURE_COUNTED = new AttributeKey<>();

    private SessionAccount() {
    }

    public static LoginAccount account(SessionContext session) {
        LoginAccount account = session.getAttribute(ACCOUNT);
        if (account == null) {
            throw new IllegalStateException("session has no authenticated account");
        }
        return account;
    }

    public static FerrySession ferrySession(SessionContext session) {
        FerrySession ferry = session.getAttribute(FERRY_SESSION);
        if (ferry == null) {
            throw new IllegalStateException("session is not registered");
        }
        return ferry;
    }

    public static UserHome home(SessionContext session) {
        UserHome home = session.getAttribute(HOME);
        if (home == null) {
            throw new IllegalStateException("session has no opened home");
        }
        return home;
    }
}
