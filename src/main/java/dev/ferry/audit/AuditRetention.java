package dev.ferry.audit;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Removes audit records older than {@code sftp.audit.retention} (default 365 days). Only the
 * oldest records go, so the chain stays verifiable from the oldest kept record.
 */
@Component
@EnableConfigurationProperties(AuditRetention.Properties.class)
class AuditRetention {

    private static final Logger log = LoggerFactory.getLogger(AuditRetention.class);

    @ConfigurationProperties("sftp.audit")
    record Properties(@DefaultValue("365d") Duration retention) {
    }

    private final JdbcTemplate jdbc;
    private final Properties properties;

    AuditRetention(JdbcTemplate jdbc, Properties properties) {
        this.jdbc = jdbc;
        this.properties = properties;
    }

    @Scheduled(fixedDelayString = "${sftp.audit.retention-check:PT1H}", initialDelayString = "PT1M")
    void removeExpired() {
        int removed = jdbc.update("delete from audit_events where ts < now() - ?::interval", properties.retention().toSeconds() + " seconds");
        if (removed > 0) {
            log.info("Removed {} audit records older than {}", removed, properties.retention());
        }
    }
}
