package dev.ferry.sftp;

import dev.ferry.access.IpAllowList;
import dev.ferry.quotas.QuotaLedger;
import dev.ferry.sessions.SessionOpening;
import dev.ferry.sessions.SessionProgress;
import dev.ferry.sessions.SessionRegistry;
import dev.ferry.users.LoginAccount;
import dev.ferry.users.UserService;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The authenticated SFTP sessions of this instance, registered cluster-wide in
 * {@link SessionRegistry}. Every two seconds the heartbeat publishes their counters, refreshes
 * their accounts (so permission, quota and bandwidth changes apply to open sessions) and ends
 * the sessions that were ended through the API or whose user is disabled, expired or deleted.
 */
@Component
class SftpSessions implements SessionListener {

    private static final Logger log = LoggerFactory.getLogger(SftpSessions.class);

    private final SessionRegistry registry;
    private final UserService users;
    private final QuotaLedger ledger;
    private final SftpAudit audit;
    private final dev.ferry.bans.LoginBans bans;
    private final Map<String, FerrySession> local = new ConcurrentHashMap<>();
    private final Map<Long, RateLimiter> uploadLimiters = new ConcurrentHashMap<>();
    private final Map<Long, RateLimiter> downloadLimiters = new ConcurrentHashMap<>();

    SftpSessions(SessionRegistry registry, UserService users, QuotaLedger ledger, SftpAudit audit,
            dev.ferry.bans.LoginBans bans) {
        this.bans = bans;
        this.registry = registry;
        this.users = users;
        this.ledger = ledger;
        this.audit = audit;
    }

    /** Audits a refused login with its reason (disabled, expired, address, session cap). */
    void refused(ServerSession session, String username, String reason) {
        session.setAttribute(SessionAccount.REFUSAL_AUDITED, Boolean.TRUE);
        audit.loginFailed(session, username, reason);
    }

    SftpAudit audit() {
        return audit;
    }

    /**
     * Whether the client's address is banned, or the username blocked at it; a refused client is
     * audited once and disconnected, known and unknown names alike.
     */
    boolean refuseIfBanned(ServerSession session, String username) {
        InetAddress address = clientAddress(session);
        if (address == null) {
            return false;
        }
        Optional<dev.ferry.bans.Ban> ban = bans.activeBan(address, username);
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
        InetAddress address = clientAddress(session);
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

    private static String describe(dev.ferry.bans.Ban ban) {
        return ban.username() == null
                ? "address " + ban.address() + " is banned until " + ban.bannedUntil() + " after repeated failed logins"
                : "logins as " + ban.username() + " from " + ban.address() + " are blocked until " + ban.bannedUntil()
                        + " after repeated failed logins";
    }

    /** Why this login may not proceed, or null; registers the session when it may. */
    String admit(ServerSession session, LoginAccount account) {
        InetAddress address = clientAddress(session);
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
        local.put(id.get(), ferry);
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
        if (ferry != null && local.remove(ferry.id()) != null) {
            try {
                registry.close(ferry.id());
            } catch (RuntimeException e) {
                log.warn("Could not unregister session {}: {}", ferry.id(), e.toString());
            }
        }
    }

    RateLimiter uploadLimiter(LoginAccount account) {
        return limiter(uploadLimiters, account.id(), account.uploadBytesPerSecond());
    }

    RateLimiter downloadLimiter(LoginAccount account) {
        return limiter(downloadLimiters, account.id(), account.downloadBytesPerSecond());
    }

    private static RateLimiter limiter(Map<Long, RateLimiter> limiters, long userId, long bytesPerSecond) {
        if (bytesPerSecond <= 0) {
            limiters.remove(userId);
            return null;
        }
        return limiters.compute(userId, (id, existing) ->
                existing != null && existing.bytesPerSecond() == bytesPerSecond ? existing : new RateLimiter(bytesPerSecond));
    }

    @Scheduled(fixedDelay = 2000, initialDelay = 2000)
    void heartbeat() {
        try {
            registry.heartbeat(local.values().stream()
                    .map(s -> new SessionProgress(s.id(), s.bytesIn.sum(), s.bytesOut.sum(), s.currentTransfer()))
                    .toList());
            for (String id : registry.sessionsToEnd()) {
                FerrySession ferry = local.get(id);
                if (ferry != null) {
                    log.info("Ending session {} of {}", id, ferry.account().username());
                    ferry.serverSession().close(true);
                }
            }
            refreshAccounts();
            ledger.keepAlive(local.values().stream().flatMap(s -> s.uploads.stream())
                    .map(MeteredUpload::reservationId).filter(r -> r != 0).toList());
        } catch (RuntimeException e) {
            log.warn("Session heartbeat failed: {}", e.toString());
        }
    }

    /** Applies changed limits and rights to open sessions: one lookup for all their users. */
    private void refreshAccounts() {
        Set<Long> ids = new HashSet<>();
        local.values().forEach(s -> ids.add(s.account().id()));
        if (ids.isEmpty()) {
            return;
        }
        Map<Long, LoginAccount> fresh = users.findLoginAccounts(ids);
        for (FerrySession session : local.values()) {
            LoginAccount account = fresh.get(session.account().id());
            if (account != null) {
                session.refresh(account);
            }
        }
    }

    @Scheduled(fixedDelay = 60_000, initialDelay = 10_000)
    void removeStale() {
        registry.removeStale();
    }

    void shutdown() {
        try {
            registry.removeOwn();
        } catch (RuntimeException e) {
            log.warn("Could not remove this instance's sessions: {}", e.toString());
        }
    }

    List<FerrySession> localSessions() {
        return List.copyOf(local.values());
    }

    static InetAddress clientAddress(ServerSession session) {
        java.net.InetSocketAddress proxied = session.getAttribute(SessionAccount.PROXIED_CLIENT);
        if (proxied != null) {
            return proxied.getAddress();
        }
        SocketAddress remote = session.getClientAddress();
        return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }
}
