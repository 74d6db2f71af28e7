package dev.ferry.sftp.session;

import dev.ferry.access.IpAllowList;
import dev.ferry.bans.Ban;
import dev.ferry.bans.LoginBans;
import dev.ferry.sessions.SessionOpening;
import dev.ferry.sessions.SessionRegistry;
import dev.ferry.sftp.transport.ClientAddress;
import dev.ferry.users.LoginAccount;
import dev.ferry.users.UserService;
import java.net.InetAddress;
import java.util.Optional;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Who may have a session: refuses banned addresses and blocked usernames, counts failed logins
 * against them, and admits a verified login (allowed IPs, the user's session cap, registered
 * cluster-wide in {@link SessionRegistry}). Every refusal and login is audited; when a connection
 * closes, its failed login or its logout is recorded and its session unregistered.
 */
@Component
public class SessionAdmission implements SessionListener {

    private static final Logger log = LoggerFactory.getLogger(SessionAdmission.class);

    private final SessionRegistry registry;
    private final UserService users;
    private final SftpAudit audit;
    private final LoginBans bans;
    private final LocalSessions local;

    SessionAdmission(SessionRegistry registry, UserService users, SftpAudit audit, LoginBans bans, LocalSessions local) {
        this.registry = registry;
        this.users = users;
        this.audit = audit;
        this.bans = bans;
        this.local = local;
    }

    /** Audits a refused login with its reason (disabled, expired, address, session cap). */
    void refused(ServerSession session, String username, String reason) {
        session.setAttribute(SessionAccount.REFUSAL_AUDITED, Boolean.TRUE);
        audit.loginFailed(session, username, reason);
    }

    /**
     * Whether the client's address is banned, or the username blocked at it; a refused client is
     * audited once and disconnected, known and unknown names alike.
     */
    boolean refuseIfBanned(ServerSession session, String username) {
        InetAddress address = ClientAddress.of(session);
        if (address == null) {
            return false;
        }
        Optional<Ban> ban = bans.activeBan(address, username);
        if (ban.isEmpty()) {
            return false;
        }
        if (session.getAttribute(SessionAccount.REFUSAL_AUDITED) == null) {
            refused(session, username, describe(ban.get()));
        }
        session.setAttribute(SessionAccount.FAILURE_COUNTED, Boolean.TRUE);
        session.close(false);
        return true;
    }

    /**
     * Counts a failed login against the username at the client's address and against the address
     * (more for a name no account has), blocking or banning at the limits.
     */
    void countFailure(ServerSession session, String username) {
        session.setAttribute(SessionAccount.FAILURE_COUNTED, Boolean.TRUE);
        InetAddress address = ClientAddress.of(session);
        if (address == null) {
            return;
        }
        try {
            bans.recordFailure(address, username, users.exists(username)).ifPresent(ban -> {
                if (ban.username() == null) {
                    log.warn("Banned {} until {} after repeated failed logins", ban.address(), ban.bannedUntil());
                } else {
                    log.warn("Blocked logins as {} from {} until {} after repeated failed logins", ban.username(), ban.address(),
                            ban.bannedUntil());
                }
                audit.loginFailed(session, username, describe(ban));
            });
        } catch (RuntimeException e) {
            log.warn("Could not count a failed login from {}: {}", address.getHostAddress(), e.toString());
        }
    }

    private static String describe(Ban ban) {
        return ban.username() == null
                ? "address " + ban.address() + " is banned until " + ban.bannedUntil() + " after repeated failed logins"
                : "logins as " + ban.username() + " from " + ban.address() + " are blocked until " + ban.bannedUntil()
                        + " after repeated failed logins";
    }

    /** Why this login may not proceed, or null; registers the session when it may. */
    String admit(ServerSession session, LoginAccount account) {
        InetAddress address = ClientAddress.of(session);
        if (!IpAllowList.of(account.allowedIps()).allows(address)) {
            return refuse(session, account, "address " + (address == null ? "unknown" : address.getHostAddress())
                    + " is not in the user's allowed IPs");
        }
        Optional<String> id = registry.open(new SessionOpening(account.id(), account.username(),
                address == null ? "unknown" : address.getHostAddress(), session.getClientVersion(),
                session.getAttribute(SessionAccount.KEY_FINGERPRINT), account.maxSessions()));
        if (id.isEmpty()) {
            return refuse(session, account, "the user already has the maximum of " + account.maxSessions() + " sessions");
        }
        FerrySession ferry = new FerrySession(id.get(), session, account);
        session.setAttribute(SessionAccount.FERRY_SESSION, ferry);
        local.add(ferry);
        audit.login(ferry);
        return null;
    }

    private String refuse(ServerSession session, LoginAccount account, String reason) {
        refused(session, account.username(), reason);
        return reason;
    }

    @Override
    public void sessionClosed(Session session) {
        FerrySession ferry = session.getAttribute(SessionAccount.FERRY_SESSION);
        String attempted = session.getAttribute(SessionAccount.ATTEMPTED_USER);
        if (ferry == null && attempted != null && session instanceof ServerSession server) {
            if (session.getAttribute(SessionAccount.REFUSAL_AUDITED) == null) {
                audit.loginFailed(server, attempted, "authentication failed: unknown user, wrong key or wrong password");
            }
            if (session.getAttribute(SessionAccount.FAILURE_COUNTED) == null) {
                countFailure(server, attempted);
            }
        }
        if (ferry != null) {
            audit.logout(ferry);
        }
        if (ferry != null && local.remove(ferry)) {
            try {
                registry.close(ferry.id());
            } catch (RuntimeException e) {
                log.warn("Could not unregister session {}: {}", ferry.id(), e.toString());
            }
        }
    }
}
