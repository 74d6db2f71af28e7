package dev.ferry.events;

import static dev.ferry.testsupport.AdminClient.quote;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.FerryInstance;
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
 * The kafka action against a real Kafka broker (spring-kafka-test's KRaft broker, in this JVM, no
 * Docker): every event of a rule arrives once, keyed username:path, and one file's events arrive
 * in order (one key, one partition, sent one after the other).
 */
class EventsKafkaIT {

    static final String TOPIC = "ferry-events";

    @Test
    void uploadsAndRenamesArriveOnTheTopicOncePerEventInOrderPerKey() throws Exception {
        EmbeddedKafkaKraftBroker kafka = new EmbeddedKafkaKraftBroker(1, 3, TOPIC);
        kafka.afterPropertiesSet();
        try (FerryInstance ferry = FerryInstance.start(TestPostgres.get().newDatabase(), FerryInstance.tempDir("ferry-kafka"),
                Map.of("sftp.events.kafka.bootstrap-servers", kafka.getBrokersAsString(), "sftp.events.poll-interval", "50ms"))) {
            AdminClient admin = ferry.admin();
            KeyPair key = TestKeys.ed25519();
            Users.create(admin, "streamer", key, null);
            var rule = admin.post("/api/v1/event-rules", "{\"name\":\"to-kafka\",\"events\":[\"UPLOAD\",\"RENAME\"],"
                    + "\"usernames\":[\"Streamer\"],\"paths\":[\"/out/*\"],\"actions\":[{\"type\":\"kafka\",\"topic\":" + quote(TOPIC) + "}]}");
            assertThat(rule.status()).as(rule.body()).isEqualTo(201);
            assertThat(rule.json().get("actions").get(0).get("topic").asString()).isEqualTo(TOPIC);
            int files = 4;
            int versions = 5;
            try (SftpTestClient sftp = SftpTestClient.withKey(ferry.sftpPort(), "streamer", key)) {
                sftp.sftp().mkdir("/out");
                for (int v = 0; v < versions; v++) {
                    for (int f = 0; f < files; f++) {
                        sftp.put("/out/f" + f + ".csv", ("v" + v).getBytes(StandardCharsets.UTF_8));
                    }
                }
                sftp.sftp().rename("/out/f0.csv", "/out/f0-done.csv");
            }
            int expected = files * versions + 1;

            Properties config = new Properties();
            config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBrokersAsString());
            config.put(ConsumerConfig.GROUP_ID_CONFIG, "events-it");
            config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            List<ConsumerRecord<String, String>> received = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of(TOPIC));
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while (received.size() < expected && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(500)).forEach(received::add);
                }
                // a little longer: nothing beyond the expected records (no duplicates)
                consumer.poll(Duration.ofSeconds(1)).forEach(received::add);
            }
            assertThat(received).as("records on the topic").hasSize(expected);
            Map<String, List<Long>> idsPerKey = new LinkedHashMap<>();
            Map<String, Integer> partitionPerKey = new LinkedHashMap<>();
            for (ConsumerRecord<String, String> record : received) {
                JsonNode event = EventRules.JSON.readTree(record.value());
                assertThat(record.key()).isEqualTo("streamer:" + event.get("path").asString());
                assertThat(event.get("rule").asString()).isEqualTo("to-kafka");
                idsPerKey.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(event.get("id").asLong());
                assertThat(partitionPerKey.computeIfAbsent(record.key(), k -> record.partition())).isEqualTo(record.partition());
            }
            assertThat(idsPerKey).hasSize(files);
            idsPerKey.forEach((k, ids) -> assertThat(ids).as(k).isSorted().doesNotHaveDuplicates());
            assertThat(idsPerKey.get("streamer:/out/f0.csv")).hasSize(versions + 1);
            JsonNode delivered = admin.get("/api/v1/event-deliveries?rule=to-kafka&status=delivered").json();
            assertThat(delivered.get("totalElements").asLong()).isEqualTo(expected);
        } finally {
            kafka.destroy();
        }
    }
}
