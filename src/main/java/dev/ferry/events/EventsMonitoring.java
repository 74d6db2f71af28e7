package dev.ferry.events;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.stereotype.Component;

/**
 * The backlog of the outbox, shared by all instances, for Prometheus
 * ({@code ferry_events_queued}: pending deliveries; {@code ferry_events_oldest_pending_age_seconds})
 * and for the health component {@code events}: DEGRADED (a status of its own, which does not make
 * the application DOWN or its probes fail) while the oldest pending delivery is older than
 * {@code sftp.events.backlog-warning}. One query per second at most, whoever asks.
 */
@Component("events")
class EventsMonitoring implements MeterBinder, HealthIndicator {

    static final Status DEGRADED = new Status("DEGRADED", "deliveries are waiting longer than sftp.events.backlog-warning");
    private static final Duration FRESH = Duration.ofSeconds(1);

    private final Outbox outbox;
    private final Duration warning;
    private final Clock clock = Clock.systemUTC();
    private volatile Outbox.Backlog backlog;
    private volatile Instant read = Instant.EPOCH;

    EventsMonitoring(Outbox outbox, EventsProperties properties) {
        this.outbox = outbox;
        this.warning = properties.backlogWarning();
    }

    private synchronized Outbox.Backlog backlog() {
        Instant now = clock.instant();
        if (backlog == null || read.plus(FRESH).isBefore(now)) {
            backlog = outbox.backlog();
            read = now;
        }
        return backlog;
    }

    private double oldestAgeSeconds() {
        Outbox.Backlog b = backlog();
        return b.oldest() == null ? 0 : Math.max(0, Duration.between(b.oldest(), clock.instant()).toMillis() / 1000.0);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("ferry.events.queued", this, m -> m.backlog().pending())
                .description("Event deliveries pending (all instances)").register(registry);
        Gauge.builder("ferry.events.oldest.pending.age", this, EventsMonitoring::oldestAgeSeconds).baseUnit("seconds")
                .description("Age of the oldest pending event delivery (all instances)").register(registry);
    }

    @Override
    public Health health() {
        Outbox.Backlog b = backlog();
        double age = oldestAgeSeconds();
        Health.Builder health = age > warning.toSeconds() ? Health.status(DEGRADED) : Health.up();
        return health.withDetail("pending", b.pending()).withDetail("oldestPendingAgeSeconds", (long) age).build();
    }
}
