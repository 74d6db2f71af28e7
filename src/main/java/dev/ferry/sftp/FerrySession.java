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

    /** Paths this session published lately: clients set times and mode right after CLOSE. */
    private final Map<String, Long> recentUploads = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > 32;
        }
    });
    private static final long RECENT_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(1);

    /** Whether this session is uploading {@code virtualPath} or published it within the last minute. */
    boolean uploadedRecently(String virtualPath) {
        if (uploads.stream().anyMatch(u -> u.virtualPath().equals(virtualPath))) {
            return true;
        }
        Long at = recentUploads.get(virtualPath);
        return at != null && System.nanoTime() - at < RECENT_NANOS;
    }

    void published(String virtualPath) {
        recentUploads.put(virtualPath, System.nanoTime());
    }
}
