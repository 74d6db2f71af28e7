package dev.ferry.sftp;

import dev.ferry.access.PermissionRules;
import dev.ferry.users.LoginAccount;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.sshd.server.session.ServerSession;

/**
 * What Ferry keeps per authenticated SFTP session: its cluster-wide id, the account as of the
 * last refresh (permissions parsed once, not per request), counters, and uploads in progress.
 */
final class FerrySession {

    private final String id;
    private final ServerSession session;
    private volatile LoginAccount account;
    private volatile PermissionRules permissions;
    final LongAdder bytesIn = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    private volatile String currentTransfer;
    private final long startedNanos = System.nanoTime();
    /** Uploads of this session in progress, by the path they will be published under. */
    final Set<MeteredUpload> uploads = ConcurrentHashMap.newKeySet();

    FerrySession(String id, ServerSession session, LoginAccount account) {
        this.id = id;
        this.session = session;
        refresh(account);
    }

    String id() {
        return id;
    }

    ServerSession serverSession() {
        return session;
    }

    LoginAccount account() {
        return account;
    }

    PermissionRules permissions() {
        return permissions;
    }

    void refresh(LoginAccount fresh) {
        Map<String, List<String>> rules = fresh.permissions();
        this.permissions = rules == null || rules.isEmpty() ? PermissionRules.ALLOW_ALL : PermissionRules.of(rules);
        this.account = fresh;
    }

    long startedNanos() {
        return startedNanos;
    }

    String currentTransfer() {
        return currentTransfer;
    }

    void currentTransfer(String transfer) {
        this.currentTransfer = transfer;
    }

    /**
     * Paths this session created lately (uploads it published, directories it made): clients set
     * times and mode right after CLOSE, and OpenSSH's {@code put -r -p} sets a directory's times
     * once it has filled it.
     */
    private final Map<String, Long> recentlyCreated = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > 32;
        }
    });
    private static final long RECENT_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(1);

    /** Whether this session is uploading {@code virtualPath} or created it within the last minute. */
    boolean createdRecently(String virtualPath) {
        if (uploads.stream().anyMatch(u -> u.virtualPath().equals(virtualPath))) {
            return true;
        }
        Long at = recentlyCreated.get(virtualPath);
        return at != null && System.nanoTime() - at < RECENT_NANOS;
    }

    void created(String virtualPath) {
        recentlyCreated.put(virtualPath, System.nanoTime());
    }
}
