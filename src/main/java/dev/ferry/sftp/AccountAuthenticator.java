package dev.ferry.sftp;

import dev.ferry.users.LoginAccount;
import dev.ferry.users.UserService;
import java.security.PublicKey;
import java.time.Clock;
import java.util.Optional;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.server.auth.password.PasswordAuthenticator;
import org.apache.sshd.server.auth.pubkey.PublickeyAuthenticator;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks public keys and passwords against the accounts in PostgreSQL at every login, so keys
 * added or removed through the admin API count from the next login on. Disabled and expired
 * accounts are refused whatever the credential.
 */
final class AccountAuthenticator implements PublickeyAuthenticator, PasswordAuthenticator {

    private static final Logger log = LoggerFactory.getLogger(AccountAuthenticator.class);

    private final UserService users;
    private final Clock clock;

    AccountAuthenticator(UserService users, Clock clock) {
        this.users = users;
        this.clock = clock;
    }

    @Override
    public boolean authenticate(String username, PublicKey key, ServerSession session) {
        ByteArrayBuffer buffer = new ByteArrayBuffer();
        buffer.putRawPublicKey(key);
        return accept(users.findByKey(username, buffer.getCompactData()), session, "publickey");
    }

    @Override
    public boolean authenticate(String username, String password, ServerSession session) {
        return accept(users.findByPassword(username, password), session, "password");
    }

    private boolean accept(Optional<LoginAccount> found, ServerSession session, String method) {
        if (found.isEmpty()) {
            return false;
        }
        LoginAccount account = found.get();
        String refusal = account.refusal(clock.instant());
        if (refusal != null) {
            log.info("Refused {} login of {} from {}: {}", method, account.username(), session.getClientAddress(), refusal);
            return false;
        }
        session.setAttribute(SessionAccount.ACCOUNT, account);
        return true;
    }
}
