package dev.ferry.events;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * File events ({@code sftp.events.*}): how deliveries are sent and retried.
 *
 * @param allowPrivateTargets webhooks may reach loopback, link-local, private, unique-local, multicast and
 *                            unspecified addresses (off: such a target is refused, against SSRF)
 * @param secretKey           the older name of {@code sftp.secret-key} (see {@code shared.SecretBox}), still read
 *                            when that is unset
 * @param concurrency         sender threads of one instance: webhook requests and file actions at once (a Kafka
 *                            batch takes one)
 * @param perEndpoint         of those, at most this many to one webhook host and port (or one Kafka topic)
 * @param batchSize           the most deliveries one claim takes; an instance holds at most two claims' worth
 * @param pollInterval        how often an idle instance looks for due deliveries besides being woken by the
 *                            database's notifications (a fallback: queued deliveries wake every instance at once)
 * @param lease               a claimed delivery is this instance's for this long; after a crash another
 *                            instance takes it over once it runs out (longer than any send may take)
 * @param webhook             webhook requests
 * @param retry               retries of failed deliveries
 * @param kafka               the Kafka cluster of kafka actions
 * @param backlogWarning      the {@code events} health component reports DEGRADED while the oldest undelivered
 *                            delivery is older than this
 * @param historyRetention    delivered and dead deliveries are removed this long after their event
 */
@ConfigurationProperties("sftp.events")
record EventsProperties(@DefaultValue("false") boolean allowPrivateTargets, String secretKey,
        @DefaultValue("16") int concurrency, @DefaultValue("4") int perEndpoint, @DefaultValue("256") int batchSize,
        @DefaultValue("1s") Duration pollInterval,
        @DefaultValue("2m") Duration lease, @DefaultValue Webhook webhook, @DefaultValue Retry retry, @DefaultValue Kafka kafka,
        @DefaultValue("15m") Duration backlogWarning, @DefaultValue("30d") Duration historyRetention) {

    EventsProperties {
        if (concurrency < 1 || perEndpoint < 1 || batchSize < 1) {
            throw new IllegalArgumentException("sftp.events.concurrency, sftp.events.per-endpoint and sftp.events.batch-size must be at "
                    + "least 1");
        }
        if (lease.compareTo(webhook.timeout().multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("sftp.events.lease (" + lease + ") must be at least twice sftp.events.webhook.timeout ("
                    + webhook.timeout() + ")");
        }
    }

    /** @param timeout connect, and then the whole answer, each within this time */
    record Webhook(@DefaultValue("10s") Duration timeout) {
    }

    /**
     * @param initialInterval the first retry's delay; each further one doubles it, with up to half of it added or taken at random
     * @param maxInterval     the longest delay between two attempts
     * @param maxAge          a delivery still failing this long after its event (or its last manual retry) is dead
     */
    record Retry(@DefaultValue("1s") Duration initialInterval, @DefaultValue("10m") Duration maxInterval,
            @DefaultValue("24h") Duration maxAge) {
    }

    /** @param bootstrapServers the cluster; unset: kafka actions are refused */
    record Kafka(List<String> bootstrapServers) {
    }
}
