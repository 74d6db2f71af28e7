package dev.ferry.audit;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.stereotype.Component;

/**
 * Prometheus metrics of the audit trail, so an operator sees records pile up before anything is
 * lost (names as Prometheus shows them):
 * <ul>
 * <li>{@code ferry_audit_pending_records}: records this instance has queued but PostgreSQL does
 * not have yet (with the journal they are safe on disk meanwhile; a growing value means the
 * database does not take them);</li>
 * <li>{@code ferry_audit_write_failures_total}: attempts to write a batch to PostgreSQL that failed;</li>
 * <li>{@code ferry_audit_quarantined_records_total}: records PostgreSQL refused, set aside in
 * {@code audit_quarantine} so the ones behind them go on (any is worth an alert).</li>
 * </ul>
 */
@Component
class AuditMetrics implements MeterBinder {

    private final AuditLog log;

    AuditMetrics(AuditLog log) {
        this.log = log;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        AuditWriter writer = log.writer();
        Gauge.builder("ferry.audit.pending.records", writer, AuditWriter::pending)
                .description("Audit records queued on this instance and not yet in PostgreSQL").register(registry);
        FunctionCounter.builder("ferry.audit.write.failures", writer, AuditWriter::writeFailures)
                .description("Failed attempts to write a batch of audit records to PostgreSQL").register(registry);
        FunctionCounter.builder("ferry.audit.quarantined.records", writer, AuditWriter::quarantined)
                .description("Audit records PostgreSQL refused, set aside in audit_quarantine").register(registry);
    }
}
