import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The broker's own ceiling for bench/events.sh, with Ferry's producer settings (idempotent, acks=all,
 * linger 1 ms): N records of a Ferry-sized event with distinct keys, sent by C threads that each wait
 * for the acknowledgement of one record before the next (what Ferry's delivery threads do), then the
 * same N sent without waiting (one flush at the end).
 *   java -cp <test classpath> KafkaProbe.java BROKERS TOPIC N C
 */
public class KafkaProbe {
    public static void main(String[] args) throws Exception {
        String brokers = args[0], topic = args[1];
        int n = Integer.parseInt(args[2]), c = Integer.parseInt(args[3]);
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        String body = "{\"id\":4711,\"type\":\"UPLOAD\",\"timestamp\":\"2026-12-07T10:15:30.123456Z\",\"username\":\"bench\","
                + "\"remoteAddress\":\"127.0.0.1\",\"sessionId\":\"7f3a9c\",\"path\":\"/kafka/tput/t00001\",\"targetPath\":null,"
                + "\"bytes\":4096,\"sha256\":\"" + "a".repeat(64) + "\",\"status\":\"OK\",\"detail\":null,\"rule\":\"bench-kafka\"}";
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            producer.send(new ProducerRecord<>(topic, "warm", body)).get();
            AtomicInteger next = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(c);
            long start = System.nanoTime();
            for (int t = 0; t < c; t++) {
                new Thread(() -> {
                    try {
                        for (int i; (i = next.getAndIncrement()) < n;) {
                            producer.send(new ProducerRecord<>(topic, "bench:/probe/" + i, body)).get(20, TimeUnit.SECONDS);
                        }
                    } catch (Exception e) {
                        e.printStackTrace();
                    } finally {
                        done.countDown();
                    }
                }).start();
            }
            done.await();
            double s = (System.nanoTime() - start) / 1e9;
            System.out.printf("kafka probe: %d records, %d threads each waiting for its ack: %.2f s, %.0f records/s%n", n, c, s, n / s);
            start = System.nanoTime();
            Future<RecordMetadata> last = null;
            for (int i = 0; i < n; i++) {
                last = producer.send(new ProducerRecord<>(topic, "bench:/probe-async/" + i, body));
            }
            producer.flush();
            last.get();
            s = (System.nanoTime() - start) / 1e9;
            System.out.printf("kafka probe: %d records sent without waiting, one flush: %.2f s, %.0f records/s%n", n, s, n / s);
        }
    }
}
