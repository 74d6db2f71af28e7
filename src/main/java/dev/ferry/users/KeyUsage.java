package dev.ferry.users;

import jakarta.annotation.PreDestroy;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * When each key last logged in, collected in memory and written in one batched UPDATE every few
 * seconds and at shutdown: a login never waits for a write, and a burst of logins with one key
 * costs one row update. A crash loses at most the last few seconds of last-use times, which only
 * inform people (the 90-day warning), never a login decision.
 */
@Component
class KeyUsage {

    private static final Logger log = LoggerFactory.getLogger(KeyUsage.class);

    private final JdbcTemplate jdbc;
    private final Map<Long, Instant> pending = new ConcurrentHashMap<>();

    KeyUsage(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    void used(long keyId, Instant at) {
        pending.merge(keyId, at, (a, b) -> a.isAfter(b) ? a : b);
    }

    @Scheduled(fixedDelayString = "${sftp.keys.last-used-flush-interval:5s}")
    @PreDestroy
    void flush() {
        if (pending.isEmpty()) {
            return;
        }
        List<Object[]> rows = new ArrayList<>();
        for (Long keyId : List.copyOf(pending.keySet())) {
            Instant at = pending.remove(keyId);
            if (at != null) {
                Timestamp time = Timestamp.from(at);
                rows.add(new Object[] {time, keyId, time});
            }
        }
        try {
            // Another replica may have written a later use of the same key: keep the later one.
            jdbc.batchUpdate("update user_keys set last_used_at = ? where id = ? and (last_used_at is null or last_used_at < ?)", rows);
        } catch (RuntimeException e) {
            log.warn("Could not record the last use of {} keys: {}", rows.size(), e.toString());
            for (Object[] row : rows) {
                used((Long) row[1], ((Timestamp) row[0]).toInstant());
            }
        }
    }
}
