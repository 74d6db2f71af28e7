package dev.ferry.events;

import static dev.ferry.testsupport.AdminClient.quote;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.FreePorts;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.TestPostgres;
import dev.ferry.testsupport.Users;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import tools.jackson.databind.JsonNode;

/**
 * Kafka cannot be reached when the events happen (down, or a wrong address): the uploads are
 * confirmed all the same, their deliveries wait (retried with the producer's error, nothing given
 * up) and survive a restart of Ferry; once Ferry reaches a broker, every event arrives once, in
 * order per file. (The KRaft test broker cannot be started on a chosen port, so "the broker comes
 * back" is Ferry restarted with the address of a broker that is up, as an operator fixing the
 * address or a failover to another cluster would do.)
 */
class EventsKafkaOutageIT {

    static final String TOPIC = "ferry-outage";
    static final Map<String, String> SETTINGS = Map.of("sftp.events.poll-interval", "50ms", "sftp.events.webhook.timeout", "1s", "sftp.events.lease", "5s",
            "sftp.events.retry.initial-interval", "200ms", "sftp.events.retry.max-interval", "1s");

    @Test
    void eventsWaitWhileKafkaCannotBeReachedAndArriveOnceInOrderWhenItCan() throws Exception {
        TestPostgres.Database database = TestPostgres.get().newDatabase();
        java.nio.file.Path storage = FerryInstance.tempDir("ferry-kafka-outage");
        Map<String, String> unreachable = new java.util.HashMap<>(SETTINGS);
        unreachable.put("sftp.events.kafka.bootstrap-servers", "127.0.0.1:" + FreePorts.next()); // nothing listens there
        int files = 3;
        int versions = 4;
        int expected = files * versions;
        try (FerryInstance ferry = FerryInstance.start(database, storage, unreachable)) {
            AdminClient admin = ferry.admin();
            KeyPair key = TestKeys.ed25519();
            Users.create(admin, "outage", key, null);
            var rule = admin.post("/api/v1/event-rules", "{\"name\":\"kafka-outage\",\"events\":[\"UPLOAD\"],\"usernames\":[\"outage\"],"
                    + "\"actions\":[{\"type\":\"kafka\",\"topic\":" + quote(TOPIC) + "}]}");
            assertThat(rule.status()).as(rule.body()).isEqualTo(201);
            try (SftpTestClient sftp = SftpTestClient.withKey(ferry.sftpPort(), "outage", key)) {
                for (int v = 0; v < versions; v++) {
                    for (int f = 0; f < files; f++) {
                        sftp.put("/f" + f + ".csv", ("v" + v).getBytes(StandardCharsets.UTF_8)); // confirmed although Kafka is away
                    }
                }
            }
            // The deliveries fail and wait: retried, with Kafka's error, nothing delivered, nothing given up.
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            JsonNode pending;
            do {
                Thread.sleep(200);
                pending = admin.get("/api/v1/event-deliveries?rule=kafka-outage&status=pending&size=500").json();
                assertThat(System.nanoTime()).as("failed attempts recorded while Kafka is away: " + pending).isLessThan(deadline);
            } while (!retried(pending));
            assertThat(pending.get("totalElements").asLong()).isEqualTo(expected);
            assertThat(admin.get("/api/v1/event-deliveries?rule=kafka-outage&status=delivered").json().get("totalElements").asLong()).isZero();
            assertThat(admin.get("/api/v1/event-deliveries?rule=kafka-outage&status=dead").json().get("totalElements").asLong()).isZero();
        }

        EmbeddedKafkaKraftBroker kafka = new EmbeddedKafkaKraftBroker(1, 1, TOPIC);
        kafka.afterPropertiesSet();
        Map<String, String> reachable = new java.util.HashMap<>(SETTINGS);
        reachable.put("sftp.events.kafka.bootstrap-servers", kafka.getBrokersAsString());
        try (FerryInstance ferry = FerryInstance.start(database, storage, reachable)) {
            AdminClient admin = ferry.admin();
            Properties config = new Properties();
            config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBrokersAsString());
            config.put(ConsumerConfig.GROUP_ID_CONFIG, "outage-it");
            config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            List<ConsumerRecord<String, String>> received = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of(TOPIC));
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while (received.size() < expected && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(500)).forEach(received::add);
                }
                consumer.poll(Duration.ofSeconds(1)).forEach(received::add); // and nothing more: no duplicates
            }
            assertThat(received).as("records on the topic once the broker is up").hasSize(expected);
            Map<String, List<Long>> idsPerKey = new LinkedHashMap<>();
            for (ConsumerRecord<String, String> record : received) {
                JsonNode event = EventRules.JSON.readTree(record.value());
                assertThat(record.key()).isEqualTo("outage:" + event.get("path").asString());
                idsPerKey.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(event.get("id").asLong());
            }
            assertThat(idsPerKey).hasSize(files);
            idsPerKey.forEach((k, ids) -> assertThat(ids).as(k).hasSize(versions).isSorted().doesNotHaveDuplicates());
            long settled = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (admin.get("/api/v1/event-deliveries?rule=kafka-outage&status=delivered").json().get("totalElements").asLong() < expected) {
                assertThat(System.nanoTime()).as("all deliveries recorded as delivered").isLessThan(settled);
                Thread.sleep(200);
            }
        } finally {
            kafka.destroy();
        }
    }

    /** Some delivery was attempted and failed with an error, so the outage is seen, not just not yet tried. */
    private static boolean retried(JsonNode page) {
        for (JsonNode delivery : page.get("content")) {
            if (delivery.get("attempts").asInt() >= 2 && !delivery.get("lastError").isNull()) {
                return true;
            }
        }
        return false;
    }
}
