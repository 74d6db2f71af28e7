package dev.ferry.sftp.session;

import dev.ferry.access.PermissionRules;
import dev.ferry.users.LoginAccount;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.sshd.server.session.ServerSession;

/**
 * What Ferry keeps per authenticated SFTP session: its cluster-wide id, the account as of the
 * last refresh (permissions parsed once, not per request), its byte counters and its open
 * transfers.
 */
public final class FerrySession {

    private static final long RECENT_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final String id;
    private final ServerSession session;
    private volatile LoginAccount account;
    private volatile PermissionRules permissions;
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final long startedNanos = System.nanoTime();
    private final OpenTransfers transfers = new OpenTransfers();
    /**
     * Paths this session created lately (uploads it published, directories it made): clients set
     * times and mode right after CLOSE, and OpenSSH's {@code put -r -p} sets a directory's times
     * once it has filled it.
     */
    private final Map<String, Long> recentlyCreated = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > 32;
        }
    });

    FerrySession(String id, ServerSession session, LoginAccount account) {
        this.id = id;
        this.session = session;
        refresh(account);
    }

    public String id() {
        return id;
    }

    public ServerSession serverSession() {
        return session;
    }

    public LoginAccount account() {
        return account;
    }

    public PermissionRules permissions() {
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

    /** Counts payload bytes the client sent (written to a file). */
    public void received(long bytes) {
        bytesIn.add(bytes);
    }

    /** Counts payload bytes sent to the client (read from a file). */
    public void sent(long bytes) {
        bytesOut.add(bytes);
    }

    long bytesIn() {
        return bytesIn.sum();
    }

    long bytesOut() {
        return bytesOut.sum();
    }

    public OpenTransfers transfers() {
        return transfers;
    }

    /** Whether this session is uploading {@code virtualPath} or created it within the last minute. */
    public boolean createdRecently(String virtualPath) {
        if (transfers.uploading(virtualPath)) {
            return true;
        }
        Long at = recentlyCreated.get(virtualPath);
        return at != null && System.nanoTime() - at < RECENT_NANOS;
    }

    public void created(String virtualPath) {
        recentlyCreated.put(virtualPath, System.nanoTime());
    }
}
