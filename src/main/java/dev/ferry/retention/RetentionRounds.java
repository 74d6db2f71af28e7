package dev.ferry.retention;

import dev.ferry.shared.ConflictException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;

/**
 * Runs retention: every enabled rule once per {@code sftp.retention.interval} (default one hour),
 * on one replica at a time ({@link RetentionLock}), and one rule when an admin asks. Dry runs take
 * no lock: they change nothing.
 */
@Service
public class RetentionRounds {

    private static final Logger log = LoggerFactory.getLogger(RetentionRounds.class);
    /** A scheduled round lists no files: the audit names each, the log gets the counts. */
    private static final int ROUND_LIST_LIMIT = 0;

    private final RetentionRules rules;
    private final RetentionSweep sweep;
    private final RetentionLock lock;
    private final RetentionMetrics metrics;

    RetentionRounds(RetentionRules rules, RetentionSweep sweep, RetentionLock lock, RetentionMetrics metrics) {
        this.rules = rules;
        this.sweep = sweep;
        this.lock = lock;
        this.metrics = metrics;
    }

    @Scheduled(fixedDelayString = "${sftp.retention.interval:1h}", initialDelayString = "${sftp.retention.initial-delay:1m}")
    void scheduled() {
        try {
            round();
        } catch (RuntimeException e) {
            log.error("Retention round failed, trying again after sftp.retention.interval: {}", e.toString(), e);
        }
    }

    /**
     * Every enabled rule, once, if no other replica is running a round: the reports, or empty when
     * the round was left to the replica that holds the lock.
     */
    public Optional<List<RetentionReport>> round() {
        return lock.tryWith(() -> metrics.rounds().record(() -> {
            List<RetentionReport> reports = new ArrayList<>();
            for (RetentionRule rule : rules.enabled()) {
                RetentionReport report = sweep.run(rule, ROUND_LIST_LIMIT);
                if (report.totalFiles() > 0 || !report.failures().isEmpty()) {
                    log.info("Retention rule '{}' deleted {} files ({} bytes) last modified before {}{}", rule.name(), report.totalFiles(),
                            report.totalBytes(), report.olderThan(), report.failures().isEmpty() ? "" : "; failures: " + report.failures());
                }
                reports.add(report);
            }
            return reports;
        }));
    }

    /** Runs one rule now (enabled or not), listing up to {@code limit} of the files it deleted. */
    public RetentionReport runNow(long ruleId, int limit) {
        RetentionRule rule = rules.get(ruleId);
        return lock.tryWith(() -> metrics.rounds().record(() -> sweep.run(rule, limit)))
                .orElseThrow(() -> new ConflictException(null, "a retention round is running (on this or another replica); "
                        + "try again when it has finished"));
    }

    /** What the rule would delete now, listing up to {@code limit} files. */
    public RetentionReport preview(long ruleId, int limit) {
        return sweep.preview(rules.get(ruleId), limit);
    }
}
