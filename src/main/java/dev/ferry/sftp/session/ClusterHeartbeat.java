package dev.ferry.sftp.session;

import dev.ferry.quotas.QuotaLedger;
import dev.ferry.sessions.SessionProgress;
import dev.ferry.sessions.SessionRegistry;
import dev.ferry.users.LoginAccount;
import dev.ferry.users.UserService;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Keeps this instance's sessions in step with the cluster through {@link SessionRegistry}: every
 * two seconds it publishes their counters and current transfer, ends the sessions that were
 * ended through the API or whose user is disabled, expired or deleted, refreshes their accounts
 * (so permission, quota and bandwidth changes apply to open sessions) and keeps the quota
 * reservations of their open uploads alive.
 */
@Component
public class ClusterHeartbeat {

    private static final Logger log = LoggerFactory.getLogger(ClusterHeartbeat.class);

    private final SessionRegistry registry;
    private final UserService users;
    private final QuotaLedger ledger;
    private final LocalSessions local;

    ClusterHeartbeat(SessionRegistry registry, UserService users, QuotaLedger ledger, LocalSessions local) {
        this.registry = registry;
        this.users = users;
        this.ledger = ledger;
        this.local = local;
    }

    @Scheduled(fixedDelay = 2000, initialDelay = 2000)
    void heartbeat() {
        try {
            registry.heartbeat(local.live().stream()
                    .map(s -> new SessionProgress(s.id(), s.bytesIn(), s.bytesOut(), s.transfers().current()))
                    .toList());
            for (String id : registry.sessionsToEnd()) {
                FerrySession ferry = local.get(id);
                if (ferry != null) {
                    log.info("Ending session {} of {}", id, ferry.account().username());
                    ferry.serverSession().close(true);
                }
            }
            refreshAccounts();
            ledger.keepAlive(local.live().stream().flatMapToLong(s -> s.transfers().quotaReservations()).boxed().toList());
        } catch (RuntimeException e) {
            log.warn("Session heartbeat failed: {}", e.toString());
        }
    }

    /** Applies changed limits and rights to open sessions: one lookup for all their users. */
    private void refreshAccounts() {
        Set<Long> ids = new HashSet<>();
        local.live().forEach(s -> ids.add(s.account().id()));
        if (ids.isEmpty()) {
            return;
        }
        Map<Long, LoginAccount> fresh = users.findLoginAccounts(ids);
        for (FerrySession session : local.live()) {
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

    /** Removes this instance's sessions from the cluster's registry (at shutdown). */
    public void shutdown() {
        try {
            registry.removeOwn();
        } catch (RuntimeException e) {
            log.warn("Could not remove this instance's sessions: {}", e.toString());
        }
    }
}
