package dev.ferry.events;

import static dev.ferry.testsupport.AdminClient.quote;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testsupport.FerryProcess;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.TestPostgres;
import dev.ferry.testsupport.Users;
import dev.ferry.testsupport.WebhookReceiver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The packaged server killed with SIGKILL: (1) after confirming uploads whose records were only in
 * its journal, so neither the records nor their events had reached PostgreSQL: after the restart
 * the journal is shipped and the events are delivered; (2) while a delivery was being sent: after
 * the restart its lease runs out and it is sent again (at least once).
 */
class EventsCrashIT {

    @TempDir
    Path work;

    @Test
    void eventsOfConfirmedUploadsAreDeliveredAfterTheServerWasKilledBeforeOrDuringDelivery() throws Exception {
        TestPostgres.Database database = TestPostgres.get().newDatabase();
        JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(database.url(), database.username(), database.password()));
        Map<String, String> settings = Map.of("sftp.audit.durability", "journal", "sftp.audit.journal-dir", work.resolve("journal").toString(),
                "sftp.audit.ship-interval", "1h", "sftp.events.allow-private-targets", "true", "sftp.events.lease", "20s",
                "sftp.events.poll-interval", "50ms", "sftp.events.retry.initial-interval", "200ms");
        // From the second start on, records are shipped at once (the default), so deliveries begin while it runs.
        Map<String, String> shipping = new java.util.HashMap<>(settings);
        shipping.remove("sftp.audit.ship-interval");
        WebhookReceiver reserved = WebhookReceiver.start();
        int port = reserved.port();
        reserved.close();
        KeyPair key = TestKeys.ed25519();

        FerryProcess first = FerryProcess.start(work, database, settings, "first.log");
        Users.create(first.admin(), "crash", key, null);
        var rule = first.admin().post("/api/v1/event-rules", "{\"name\":\"crash\",\"events\":[\"UPLOAD\"],\"usernames\":[\"crash\"],"
                + "\"actions\":[{\"type\":\"webhook\",\"url\":" + quote("http://127.0.0.1:" + port + "/hook") + "}]}");
        assertThat(rule.status()).as(rule.body()).isEqualTo(201);
        try (SftpTestClient sftp = SftpTestClient.withKey(first.sftpPort(), "crash", key)) {
            for (int i = 0; i < 3; i++) {
                sftp.put("/f" + i + ".csv", ("file " + i).getBytes(StandardCharsets.UTF_8));
            }
        }
        first.kill();
        assertThat(jdbc.queryForObject("select count(*) from event_deliveries", Integer.class))
                .as("the records were in the journal only, and so were their events").isZero();

        try (WebhookReceiver receiver = WebhookReceiver.start(port)) {
            receiver.script("/hook", new WebhookReceiver.Status(200), new WebhookReceiver.Status(200), new WebhookReceiver.Status(200),
                    new WebhookReceiver.Slow(Duration.ofSeconds(60)));
            FerryProcess second = FerryProcess.start(work, database, shipping, "second.log");
            await(() -> receiver.requests(WebhookReceiver.Request::accepted).size() == 3, "the three events after the restart", receiver);
            assertThat(receiver.requests()).extracting(r -> r.body().replaceAll(".*\"path\":\"([^\"]*)\".*", "$1"))
                    .containsExactlyInAnyOrder("/f0.csv", "/f1.csv", "/f2.csv");

            // (2) killed while the receiver holds the request of the fourth upload
            try (SftpTestClient sftp = SftpTestClient.withKey(second.sftpPort(), "crash", key)) {
                sftp.put("/f3.csv", "file 3".getBytes(StandardCharsets.UTF_8));
            }
            await(() -> receiver.requests().size() == 4, "the fourth event in flight", receiver);
            second.kill();
            try (FerryProcess third = FerryProcess.start(work, database, shipping, "third.log")) {
                await(() -> receiver.requests(WebhookReceiver.Request::accepted).size() == 4, "the fourth event sent again", receiver);
                assertThat(receiver.requests()).hasSize(5);
                assertThat(receiver.requests().get(4).header("Ferry-Event-Id")).isEqualTo(receiver.requests().get(3).header("Ferry-Event-Id"));
                // the receiver's 200 is written as the outcome a moment later (batched): wait for it, then check
                await(() -> jdbc.queryForObject("select count(*) from event_deliveries where status = 'delivered'", Integer.class) >= 4,
                        "the fourth delivery recorded", receiver);
                assertThat(jdbc.queryForObject("select count(*) from event_deliveries where status = 'delivered'", Integer.class))
                        .isEqualTo(4);
            }
        }
    }

    static void await(BooleanSupplier condition, String what, WebhookReceiver receiver) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited for " + what + "; the receiver got " + receiver.requests());
            }
            Thread.sleep(100);
        }
    }
}
