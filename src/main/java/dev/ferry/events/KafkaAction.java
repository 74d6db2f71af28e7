package dev.ferry.events;

import dev.ferry.shared.InvalidInputException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.ProducerListener;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code {"type": "kafka", "topic": ...}}: the event's JSON as a record on a topic of the cluster
 * in {@code sftp.events.kafka.bootstrap-servers}, keyed {@code username:path} so one file's events
 * land in one partition in order. The producer is idempotent with {@code acks=all}: a record the
 * broker acknowledged is on every in-sync replica, and the producer's own resends never duplicate
 * it. It is created at the first delivery, so a cluster that is down does not hold up the start.
 */
@Component
class KafkaAction implements EventAction, DisposableBean {

    static final String TYPE = "kafka";
    /** Kafka's own rule for topic names (org.apache.kafka.common.internals.Topic). */
    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    private final List<String> bootstrapServers;
    private final Duration timeout;
    private volatile KafkaTemplate<String, String> template;
    private DefaultKafkaProducerFactory<String, String> factory;

    KafkaAction(EventsProperties properties) {
        this.bootstrapServers = properties.kafka().bootstrapServers();
        this.timeout = properties.webhook().timeout();
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Validated validate(ObjectNode given, ObjectNode previous, String field) {
        for (Iterator<String> names = given.propertyNames().iterator(); names.hasNext();) {
            String name = names.next();
            if (!name.equals("type") && !name.equals("topic")) {
                throw new InvalidInputException(field + "." + name, field + "." + name + " is not a member of a kafka action (it has topic)");
            }
        }
        JsonNode topic = given.get("topic");
        if (topic == null || !topic.isString() || !TOPIC.matcher(topic.asString()).matches() || topic.asString().equals(".")
                || topic.asString().equals("..")) {
            throw new InvalidInputException(field + ".topic", field + ".topic must be a Kafka topic name: 1 to 249 of a-z A-Z 0-9 . _ -"
                    + " (not . or ..)");
        }
        if (bootstrapServers == null || bootstrapServers.isEmpty()) {
            throw new InvalidInputException(field, field + ": Kafka is not configured on this server: set sftp.events.kafka.bootstrap-servers");
        }
        return new Validated(given.objectNode().put("type", TYPE).put("topic", topic.asString()), null);
    }

    @Override
    public String describe(ObjectNode stored) {
        return "kafka topic " + stored.get("topic").asString();
    }

    @Override
    public String endpoint(ObjectNode stored) {
        return "kafka:" + stored.get("topic").asString();
    }

    @Override
    public DeliveryOutcome deliver(OutgoingEvent event, ObjectNode stored) {
        return deliverAll(List.of(event), stored).get(0);
    }

    @Override
    public boolean pipelines() {
        return true;
    }

    /**
     * Hands every record to the producer first and then waits for the acknowledgements, so a batch
     * costs about one round trip to the broker instead of one per record. Each record has its own
     * outcome: one that failed is retried by the outbox, and the next event of its file is not
     * claimed before that retry succeeded (the batch holds only the head of each file's queue).
     */
    @Override
    public List<DeliveryOutcome> deliverAll(List<OutgoingEvent> events, ObjectNode stored) {
        if (bootstrapServers == null || bootstrapServers.isEmpty()) {
            return events.stream().map(e -> DeliveryOutcome.failed(null,
                    "Kafka is not configured on this server: set sftp.events.kafka.bootstrap-servers")).toList();
        }
        String topic = stored.get("topic").asString();
        List<CompletableFuture<?>> sent = new ArrayList<>(events.size());
        try {
            KafkaTemplate<String, String> producer = template();
            for (OutgoingEvent event : events) {
                try {
                    sent.add(producer.send(topic, event.key(), event.body()));
                } catch (RuntimeException e) {
                    sent.add(CompletableFuture.failedFuture(e));
                }
            }
        } catch (RuntimeException e) {
            return events.stream().map(x -> failed(e)).toList();
        }
        long deadline = System.nanoTime() + timeout.multipliedBy(2).toNanos();
        List<DeliveryOutcome> outcomes = new ArrayList<>(events.size());
        for (CompletableFuture<?> future : sent) {
            outcomes.add(outcome(future, deadline));
        }
        return outcomes;
    }

    private DeliveryOutcome outcome(CompletableFuture<?> future, long deadline) {
        try {
            future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return DeliveryOutcome.delivered(null);
        } catch (ExecutionException e) {
            return failed(e.getCause() == null ? e : e.getCause());
        } catch (TimeoutException e) {
            return DeliveryOutcome.failed(null, "no acknowledgement from Kafka within " + timeout.multipliedBy(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return DeliveryOutcome.failed(null, "interrupted");
        } catch (RuntimeException e) {
            return failed(e);
        }
    }

    private static DeliveryOutcome failed(Throwable cause) {
        return DeliveryOutcome.failed(null, cause.getClass().getSimpleName() + ": " + cause.getMessage());
    }

    private KafkaTemplate<String, String> template() {
        KafkaTemplate<String, String> t = template;
        if (t != null) {
            return t;
        }
        synchronized (this) {
            if (template == null) {
                Map<String, Object> config = new HashMap<>();
                config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", bootstrapServers));
                config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
                config.put(ProducerConfig.ACKS_CONFIG, "all");
                config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
                config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
                config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) timeout.toMillis());
                config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
                config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout.toMillis() + 1000);
                config.put(ProducerConfig.LINGER_MS_CONFIG, 1);
                // a claimed batch (hundreds of events) in a few requests, not dozens of 16 KiB ones
                config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
                config.put(ProducerConfig.CLIENT_ID_CONFIG, "ferry-events");
                factory = new DefaultKafkaProducerFactory<>(config);
                KafkaTemplate<String, String> created = new KafkaTemplate<>(factory);
                // Not spring-kafka's LoggingProducerListener: it logs every failed send as an ERROR with the
                // record (user, path, address), once per retry while Kafka is down; the outbox records the
                // failure on the delivery, and its metrics and health say when deliveries fall behind.
                created.setProducerListener(new ProducerListener<>() {
                });
                template = created;
            }
            return template;
        }
    }

    @Override
    public synchronized void destroy() {
        if (factory != null) {
            factory.destroy();
        }
    }
}
