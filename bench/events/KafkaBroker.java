import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * A one-node KRaft Kafka broker for bench/events.sh, the one EventsKafkaIT uses (spring-kafka-test),
 * run outside the tests: java -cp <test classpath> KafkaBroker.java PORT TOPIC PARTITIONS.
 * Prints "kafka up <brokers>" and runs until SIGTERM.
 */
public class KafkaBroker {
    public static void main(String[] args) throws Exception {
        EmbeddedKafkaKraftBroker kafka = new EmbeddedKafkaKraftBroker(1, Integer.parseInt(args[2]), args[1]);
        kafka.kafkaPorts(Integer.parseInt(args[0]));
        kafka.afterPropertiesSet();
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::destroy));
        System.out.println("kafka up " + kafka.getBrokersAsString());
        Thread.currentThread().join();
    }
}
