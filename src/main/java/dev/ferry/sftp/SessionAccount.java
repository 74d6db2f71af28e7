package dev.ferry.sftp;

import dev.ferry.storage.UserHome;
import dev.ferry.users.LoginAccount;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.session.SessionContext;

/** Per-session facts set at login: the account and, once the subsystem starts, its opened home. */
final class SessionAccount {

    static final AttributeKey<LoginAccount> ACCOUNT = new AttributeKey<>();
    static final AttributeKey<UserHome> HOME = new AttributeKey<>();

    private SessionAccount() {
    }

    static LoginAccount account(SessionContext session) {
        LoginAccount account = session.getAttribute(ACCOUNT);
        if (account == null) {
            throw new IllegalStateException("session has no authenticated account");
        }
        return account;
    }

    static UserHome home(SessionContext session) {
        UserHome home = session.getAttribute(HOME);
        if (home == null) {
            throw new IllegalStateException("session has no opened home");
        }
        return home;
    }
}
