package dev.ferry.events;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Removes delivered and dead deliveries older than {@code sftp.events.history-retention}, hourly (any
 * instance may; the delete is the same on all). Pending ones stay whatever their age: they are
 * still owed. The events themselves stay in the audit trail.
 */
@Component
class DeliveryHistoryRetention {

    private static final Logger log = LoggerFactory.getLogger(DeliveryHistoryRetention.class);

    private final JdbcTemplate jdbc;
    private final Duration retention;

    DeliveryHistoryRetention(JdbcTemplate jdbc, EventsProperties properties) {
        this.jdbc = jdbc;
        this.retention = properties.historyRetention();
    }

    @Scheduled(initialDelayString = "PT5M", fixedDelayString = "PT1H")
    void removeOld() {
        int removed = jdbc.update("delete from event_deliveries where status in ('delivered', 'dead') "
                + "and created_at < now() - make_interval(secs => ?)", retention.toSeconds());
        if (removed > 0) {
            log.info("Removed {} delivered or dead event deliveries older than {}", removed, retention);
        }
    }
}
