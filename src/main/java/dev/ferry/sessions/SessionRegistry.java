package dev.ferry.sessions;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The live SFTP sessions of every instance sharing the database. Each instance refreshes its rows
 * (the heartbeat); rows not refreshed for {@link #STALE_AFTER} belong to a crashed instance and
 * no longer count. Ending a session anywhere is a flag the owning instance picks up.
 */
@Service
public class SessionRegistry {

    /** A session counts as live while its instance refreshed it within this time. */
    static final Duration STALE_AFTER = Duration.ofSeconds(30);
    /** {@link #STALE_AFTER} as a PostgreSQL interval. */
    private static final String LIVE_WITHIN = STALE_AFTER.toSeconds() + " seconds";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final String instanceId;

    SessionRegistry(JdbcTemplate jdbc, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.instanceId = randomId(8);
    }

    public String instanceId() {
        return instanceId;
    }

    /**
     * Registers a session unless the user already has {@code maxSessions} live sessions on any
     * instance. Logins of one user are serialised on their user row, so the cap is exact.
     *
     * @return the new session id, or empty when the cap is reached
     */
    public Optional<String> open(SessionOpening opening) {
        return tx.execute(status -> {
            List<Long> locked = jdbc.queryForList("select id from users where id = ? for update", Long.class, opening.userId());
            if (locked.isEmpty()) {
                return Optional.empty();
            }
            if (opening.maxSessions() > 0) {
                Integer live = jdbc.queryForObject(
                        "select count(*) from sftp_sessions where user_id = ? and last_seen > now() - ?::interval and not end_requested",
                        Integer.class, opening.userId(), LIVE_WITHIN);
                if (live != null && live >= opening.maxSessions()) {
                    return Optional.empty();
                }
            }
            String id = randomId(12);
            jdbc.update("insert into sftp_sessions (id, instance_id, user_id, username, remote_address, client_version, key_fingerprint, "
                            + "started_at, last_seen) values (?, ?, ?, ?, ?, ?, ?, now(), now())",
                    id, instanceId, opening.userId(), opening.username(), opening.remoteAddress(),
                    truncate(opening.clientVersion(), 255), opening.keyFingerprint());
            return Optional.of(id);
        });
    }

    public void close(String id) {
        jdbc.update("delete from sftp_sessions where id = ?", id);
    }

    /** Refreshes this instance's sessions and their counters. */
    public void heartbeat(Collection<SessionProgress> sessions) {
        if (sessions.isEmpty()) {
            return;
        }
        jdbc.batchUpdate("update sftp_sessions set last_seen = now(), bytes_in = ?, bytes_out = ?, current_transfer = ? where id = ?",
                sessions.stream().map(s -> new Object[] {s.bytesIn(), s.bytesOut(), truncate(s.currentTransfer(), 4096), s.id()}).toList());
    }

    /**
     * Sessions of this instance that must end: asked to through the API, or whose user was
     * deleted, disabled or has expired.
     */
    public List<String> sessionsToEnd() {
        return jdbc.queryForList("select s.id from sftp_sessions s left join users u on u.id = s.user_id "
                + "where s.instance_id = ? and (s.end_requested or u.id is null or not u.enabled "
                + "or (u.expires_at is not null and u.expires_at <= now()))", String.class, instanceId);
    }

    /** Live sessions of every instance, oldest first. */
    public List<LiveSession> list() {
        return jdbc.query("select id, username, remote_address, started_at, bytes_in, bytes_out, current_transfer, client_version, "
                        + "key_fingerprint, instance_id from sftp_sessions where last_seen > now() - ?::interval order by started_at, id",
                (rs, i) -> new LiveSession(rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getTimestamp(4).toInstant().atOffset(ZoneOffset.UTC), rs.getLong(5), rs.getLong(6), rs.getString(7),
                        rs.getString(8), rs.getString(9), rs.getString(10)),
                LIVE_WITHIN);
    }

    /** Asks the owning instance to end a session; false if there is no such live session. */
    public boolean requestEnd(String id) {
        return jdbc.update("update sftp_sessions set end_requested = true where id = ? and last_seen > now() - ?::interval",
                id, LIVE_WITHIN) > 0;
    }

    /** Removes the rows of this instance (at shutdown) and rows nobody refreshed for long. */
    public void removeOwn() {
        jdbc.update("delete from sftp_sessions where instance_id = ?", instanceId);
    }

    public void removeStale() {
        jdbc.update("delete from sftp_sessions where last_seen < now() - interval '10 minutes'");
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    private static String randomId(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
