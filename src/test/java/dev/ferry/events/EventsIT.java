package dev.ferry.events;

import static dev.ferry.testsupport.AdminClient.quote;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.FreePorts;
import dev.ferry.testsupport.PrometheusScrape;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.TestPostgres;
import dev.ferry.testsupport.Users;
import dev.ferry.testsupport.WebhookReceiver;
import dev.ferry.testsupport.WebhookReceiver.Request;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.sshd.sftp.client.SftpClient;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * File events end to end on one running Ferry (and a replica for one case): real SFTP uploads make
 * audit records, the trigger queues deliveries, the outbox sends them to a real HTTP receiver on
 * 127.0.0.1 that misbehaves on purpose. Each case has its own user, paths and receiver path, so the
 * rules of one never match the uploads of another.
 */
class EventsIT {

    static final Map<String, String> SETTINGS = Map.of(
            "sftp.events.allow-private-targets", "true",
            "sftp.events.webhook.timeout", "1s",
            "sftp.events.lease", "5s",
            "sftp.events.poll-interval", "50ms",
            "sftp.events.retry.initial-interval", "200ms",
            "sftp.events.retry.max-interval", "1s",
            "sftp.events.retry.max-age", "20s",
            "sftp.events.backlog-warning", "2s");
    static final Duration WAIT = Duration.ofSeconds(60);
    static final JsonMapper JSON = JsonMapper.builder().build();

    static FerryInstance ferry;
    static AdminClient admin;
    static WebhookReceiver receiver;

    @BeforeAll
    static void start() throws Exception {
        ferry = FerryInstance.start(TestPostgres.get().newDatabase(), FerryInstance.tempDir("ferry-events"), SETTINGS);
        admin = ferry.admin();
        receiver = WebhookReceiver.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (receiver != null) {
            receiver.close();
        }
        if (ferry != null) {
            ferry.close();
        }
    }

    @Test
    void aMatchingUploadIsDeliveredOnceWithAVerifiableSignatureAndTheSecretIsNeverShownAgain() throws Exception {
        KeyPair key = user("signed");
        var created = admin.post("/api/v1/event-rules", rule("signed-csv", "[\"UPLOAD\"]", "signed", "[\"/in/**/*.csv\"]",
                "{\"type\":\"webhook\",\"url\":" + quote(receiver.url("/signed")) + "}"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String secret = created.json().get("actions").get(0).get("secret").asString();
        assertThat(secret).startsWith("whsec_");
        long ruleId = created.json().get("id").asLong();
        var read = admin.get("/api/v1/event-rules/" + ruleId);
        assertThat(read.body()).doesNotContain(secret).doesNotContain("\"secret\"");
        assertThat(read.json().get("actions").get(0).get("secretSet").asBoolean()).isTrue();
        assertThat(read.json().get("minSize").isNull()).as("a rule without minSize reads back without one: " + read.body()).isTrue();
        JsonNode sized = createRule("{\"name\":\"signed-sized\",\"events\":[\"UPLOAD\"],\"usernames\":[\"nobody-here\"],\"minSize\":5,"
                + "\"actions\":[{\"type\":\"webhook\",\"url\":" + quote(receiver.url("/unused")) + "}]}");
        assertThat(admin.get("/api/v1/event-rules/" + sized.get("id").asLong()).json().get("minSize").asLong()).isEqualTo(5);
        assertThat(admin.delete("/api/v1/event-rules/" + sized.get("id").asLong()).status()).isEqualTo(204);
        assertThat(admin.get("/api/v1/event-rules").body()).doesNotContain(secret).contains("signed-csv");

        byte[] data = "id;amount\n1;100\n".getBytes(StandardCharsets.UTF_8);
        try (SftpTestClient sftp = SftpTestClient.withKey(ferry.sftpPort(), "signed", key)) {
            sftp.sftp().mkdir("/in");
            sftp.sftp().mkdir("/in/2026");
            sftp.put("/in/2026/a.csv", data);
            sftp.put("/in/2026/a.txt", data); // no match: not *.csv
            sftp.put("/a.csv", data); // no match: not under /in
        }
        await(() -> !receiver.requests(r -> r.path().equals("/signed")).isEmpty(), "the upload's event at the receiver");
        // A later upload that matches, so that "only one" below is not just "not yet".
        try (SftpTestClient sftp = SftpTestClient.withKey(ferry.sftpPort(), "signed", key)) {
            sftp.put("/in/b.csv", data);
        }
        await(() -> receiver.requests(r -> r.path().equals("/signed")).size() >= 2, "the second event");

        List<Request> got = receiver.requests(r -> r.path().equals("/signed"));
        assertThat(got).hasSize(2);
        Request first = got.get(0);
        String expected = "sha256=" + hmacHex(secret, first.header("Ferry-Timestamp") + "." + first.body());
        assertThat(first.header("Ferry-Signature")).isEqualTo(expected);
        assertThat(Math.abs(Long.parseLong(first.header("Ferry-Timestamp")) - Instant.now().getEpochSecond())).isLessThan(600);
        assertThat(first.header("Content-Type")).startsWith("application/json");
        JsonNode body = JSON.readTree(first.body());
        assertThat(fieldNames(body)).containsExactly("id", "type", "timestamp", "username", "remoteAddress", "sessionId", "path",
                "targetPath", "bytes", "sha256", "status", "detail", "rule");
        assertThat(body.get("id").asString()).isEqualTo(first.header("Ferry-Event-Id"));
        assertThat(body.get("type").asString()).isEqualTo("UPLOAD");
        assertThat(body.get("username").asString()).isEqualTo("signed");
        assertThat(body.get("path").asString()).isEqualTo("/in/2026/a.csv");
        assertThat(body.get("bytes").asLong()).isEqualTo(data.length);
        assertThat(body.get("sha256").asString()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)));
        assertThat(body.get("status").asString()).isEqualTo("OK");
        assertThat(body.get("rule").asString()).isEqualTo("signed-csv");
        assertThat(body.get("remoteAddress").asString()).isEqualTo("127.0.0.1");
        assertThat(Instant.parse(body.get("timestamp").asString())).isBefore(Instant.now().plusSeconds(1));
        // the event id is the audit record's id: the same record the audit API lists
        JsonNode audit = admin.get("/api/v1/audit?username=signed&type=UPLOAD&path=/in/2026/a.csv").json().get("content").get(0);
        assertThat(audit.get("id").asLong()).isEqualTo(body.get("id").asLong());
        assertThat(audit.get("timestamp").asString()).isEqualTo(body.get("timestamp").asString());

        awaitDelivered("signed-csv", 2);
        JsonNode delivered = admin.get("/api/v1/event-deliveries?rule=signed-csv&status=delivered").json();
        JsonNode one = delivered.get("content").get(1);
        assertThat(one.get("attempts").asInt()).isEqualTo(1);
        assertThat(one.get("lastStatus").asInt()).isEqualTo(200);
        assertThat(one.get("latencyMs").asLong()).isNotNegative();
        assertThat(one.get("path").asString()).isEqualTo("/in/2026/a.csv");

        // the change is audited as ADMIN, without the secret
        String adminTrail = admin.get("/api/v1/audit?type=ADMIN&path=/api/v1/event-rules/" + ruleId).body();
        assertThat(adminTrail).contains("created event rule").contains("webhook to http://127.0.0.1:" + receiver.port())
                .doesNotContain(secret);

        // PUT without the secret keeps it; a given secret replaces it
        var kept = admin.put("/api/v1/event-rules/" + ruleId, rule("signed-csv", "[\"UPLOAD\"]", "signed", "[\"/in/**/*.csv\"]",
                "{\"type\":\"webhook\",\"url\":" + quote(receiver.url("/signed")) + "}"));
        assertThat(kept.status()).as(kept.body()).isEqualTo(200);
        assertThat(kept.body()).doesNotContain("\"secret\"");
        String newSecret = "a-new-secret-of-enough-length";
        var replaced = admin.put("/api/v1/event-rules/" + ruleId, rule("signed-csv", "[\"UPLOAD\"]", "signed", "[\"/in/**/*.csv\"]",
                "{\"type\":\"webhook\",\"url\":" + quote(receiver.url("/signed")) + ",\"secret\":" + quote(newSecret) + "}"));
        assertThat(replaced.status()).as(replaced.body()).isEqualTo(200);
        assertThat(replaced.body()).doesNotContain(newSecret);
        try (SftpTestClient sftp = SftpTestClient.withKey(ferry.sftpPort(), "signed", key)) {
            sftp.put("/in/c.csv", data);
        }
        await(() -> receiver.requests(r -> r.path().equals("/signed")).size() >= 3, "the third event");
        Request third = receiver.requests(r -> r.path().equals("/signed")).get(2);
        assertThat(third.header("Ferry-Signature")).isEqualTo("sha256=" + hmacHex(newSecret, third.header("Ferry-Timestamp") + "."
                + third.body()));

        // deleted: no more events
        assertThat(admin.delete("/api/v1/event-rules/" + ruleId).status()).isEqualTo(204);
        assertThat(admin.get("/api/v1/event-rules/" + ruleId).status()).isEqualTo(404);
    }

    /**
     * A refusal for the quota is its own audit record type, QUOTA_EXCEEDED, whichever way the upload
     * ends: refused at OPEN (files), on a write (bytes) and closed, or on a write with the client gone
     * before its CLOSE. A rule on QUOTA_EXCEEDED gets each; the refused uploads leave no UPLOAD record.
     */
    @Test
    void uploadsRefusedForTheQuotaAreQuotaExceededEventsWhereverTheyAreRefused() throws Exception {
        KeyPair bytesKey = TestKeys.ed25519();
        Users.create(admin, "quota-bytes", bytesKey, "\"quota\":{\"maxBytes\":1000}");
        KeyPair filesKey = TestKeys.ed25519();
        Users.create(admin, "quota-files", filesKey, "\"quota\":{\"maxFiles\":1}");
        createRule("{\"name\":\"quota-watch\",\"events\":[\"QUOTA_EXCEEDED\"],\"usernames\":[\"quota-bytes\",\"quota-files\"],"
                + "\"actions\":[{\"type\":\"webhook\",\"url\":" + quote(receiver.url("/quota")) + "}]}");

        byte[] tooBig = new byte[2000];
        try (SftpTestClient sftp = SftpTestClient.withKey(ferry.sftpPort(), "quota-bytes", bytesKey)) {
            sftp.put("/fits.bin", new byte[600]);
            SftpClient.CloseableHandle closed = sftp.sftp().open("/closed.bin", SftpClient.OpenMode.Write, SftpClient.OpenMode.Create);
            assertThatThrownBy(() -> sftp.sftp().write(closed, 0, tooBig)).hasMessageStartingWith("quota exceeded");
            assertThatThrownBy(closed::close).hasMessageContaining("quota exceeded");
        }
        SftpTestClient vanishing = SftpTestClient.withKey(ferry.sftpPort(), "quota-bytes", bytesKey);
        SftpClient.Handle open = vanishing.sftp().open("/vanished.bin", SftpClient.OpenMode.Write, SftpClient.OpenMode.Create);
        assertThatThrownBy(() -> vanishing.sftp().write(open, 0, tooBig)).hasMessageStartingWith("quota exceeded");
        vanishing.close(); // without closing the handle: the session ends with the refused upload open
        try (SftpTestClient sftp = SftpTestClient.withKey(ferry.sftpPort(), "quota-files", filesKey)) {
            sftp.put("/one.bin", new byte[10]);
            assertThatThrownBy(() -> sftp.put("/two.bin", new byte[10])).hasMessageContaining("quota exceeded");
        }

        await(() -> receiver.requests(r -> r.path().equals("/quota")).size() >= 3, "three QUOTA_EXCEEDED events");
        Map<String, JsonNode> byPath = new LinkedHashMap<>();
        for (Request r : receiver.requests(q -> q.path().equals("/quota"))) {
            JsonNode body = JSON.readTree(r.body());
            byPath.put(body.get("username").asString() + ":" + body.get("path").asString(), body);
        }
        assertThat(byPath).containsOnlyKeys("quota-bytes:/closed.bin", "quota-bytes:/vanished.bin", "quota-files:/two.bin");
        for (JsonNode body : byPath.values()) {
            assertThat(body.get("type").asString()).isEqualTo("QUOTA_EXCEEDED");
            assertThat(body.get("status").asString()).isEqualTo("DENIED");
            assertThat(body.get("detail").asString()).startsWith("quota exceeded");
        }
        assertThat(byPath.get("quota-bytes:/vanished.bin").get("detail").asString()).contains("connection lost");
        // one record per refused upload, typed for searches too; the UPLOAD records are the uploads that were stored
        JsonNode refused = admin.get("/api/v1/audit?username=quota-bytes&type=QUOTA_EXCEEDED").json();
        assertThat(refused.get("totalElements").asLong()).isEqualTo(2);
        JsonNode uploads = admin.get("/api/v1/audit?username=quota-bytes&type=UPLOAD").json().get("content");
        assertThat(uploads).hasSize(1);
        assertThat(uploads.get(0).get("path").asString()).isEqualTo("/fits.bin");
    }

    @Test
    void aReceiverAnsweringErrorsTimingOutAndResettingGetsEveryEventRetriedInOrderPerFile() throws Exception {
        KeyPair key = user("flaky");
        receiver.script("/flaky", new WebhookReceiver.Status(500), new WebhookReceiver.Reset(),
                new WebhookReceiver.Slow(Duration.ofMillis(2500)), new WebhookReceiver.Status(503), new WebhookReceiver.Reset());
        createRule(rule("flaky", "[\"UPLOAD\",\"RENAME\"]", "flaky", "[]",
                "{\"type\":\"webhook\",\"url\":" + quote(receiver.url("/flaky")) + "}"));
        try (SftpTestClient sftp = SftpTestClient.withKey(ferry.sftpPort(), "flaky", key)) {
            for (int version = 1; version <= 4; version++) {
                sftp.put("/one.csv", ("version " + version).getBytes(StandardCharsets.UTF_8));
            }
            sftp.put("/two.csv", "two".getBytes(StandardCharsets.UTF_8));
            sftp.sftp().rename("/two.csv", "/two-done.csv");
        }
        await(() -> accepted("/flaky").size() == 6, "all six events accepted");
        awaitDelivered("flaky", 6);
        assertOrderedPerFile("/flaky");
        assertAttemptsMatchRequests("flaky", "/flaky");
        JsonNode list = admin.get("/api/v1/event-deliveries?rule=flaky").json();
        assertThat(list.get("totalElements").asLong()).isEqualTo(6);
        int attempts = 0;
        for (JsonNode d : list.get("content")) {
            assertThat(d.get("status").asString()).isEqualTo("delivered");
            attempts += d.get("attempts").asInt();
        }
        assertThat(attempts).as("five failed attempts, six good ones").isEqualTo(11);
    }

    @Test
    void eventsWaitWhileTheReceiverIsDownAndAllArriveInOrderPerFileOnceItIsBack() throws Exception {
        KeyPair key = user("downtime");
        WebhookReceiver down = WebhookReceiver.start();
        int port = down.port();
        down.close();
        createRule(rule("downtime", "[\"UPLOAD\"]", "downtime", "[\"/d/*\"]",
                "{\"type\":\"webhook\",\"url\":" + quote("http://127.0.0.1:" + port + "/down") + "}"));
        try (SftpTestClient sftp = SftpTestClient.withKey(ferry.sftpPort(), "downtime", key)) {
            sftp.sftp().mkdir("/d");
            for (int version = 1; version <= 3; version++) {
                for (String file : List.of("/d/x.csv", "/d/y.csv", "/d/z.csv")) {
                    sftp.put(file, (file + version).getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        await(() -> {
            JsonNode pending = admin.get("/api/v1/event-deliveries?rule=downtime&status=pending").json();
            return pending.get("totalElements").asLong() == 9 && pending.get("content").findValues("attempts").stream()
                    .anyMatch(a -> a.asInt() >= 2);
        }, "retries while the receiver is down");
        // the backlog shows: the events health component degrades (Ferry stays UP), the metrics count it
        await(() -> ferry.bean(EventsMonitoring.class).health().getStatus().equals(EventsMonitoring.DEGRADED),
                "the events health component DEGRADED");
        var health = admin.withoutCredentials().get("/actuator/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asString()).isEqualTo("UP");
        PrometheusScrape metrics = PrometheusScrape.of(admin);
        assertThat(metrics.value("ferry_events_queued")).isGreaterThanOrEqualTo(9);
        assertThat(metrics.value("ferry_events_oldest_pending_age_seconds")).isGreaterThan(1);
        assertThat(metrics.value("ferry_events_failed_total")).isGreaterThan(0);
        JsonNode failing = admin.get("/api/v1/event-deliveries?rule=downtime&status=pending").json().get("content");
        assertThat(failing.findValuesAsString("lastError")).anyMatch(e -> e.contains("onnect"));
        try (WebhookReceiver back = WebhookReceiver.start(port)) {
            await(() -> back.requests(WebhookReceiver.Request::accepted).size() == 9, "all nine events after the receiver is back");
            assertOrderedPerFile(back.requests());
            assertThat(back.requests()).as("each sent once once the receiver answers").hasSize(9);
        }
    }

    @Test
    void aDeliveryFailingPastTheMaxAgeIsDeadAndIsReplayedOneByOneOrInBulk() throws Exception {
        KeyPair key = user("deadletter");
        WebhookReceiver.Answer[] errors = new WebhookReceiver.Answer[200];
        java.util.Arrays.fill(errors, new WebhookReceiver.Status(503));
        receiver.script("/dead", errors);
        createRule(rule("deadletter", "[\"UPLOAD\"]", "deadletter", "[]",
                "{\"type\":\"webhook\",\"url\":" + quote(receiver.url("/dead")) + "}"));
        try (SftpTestClient sftp = SftpTestClient.withKey(ferry.sftpPort(), "deadletter", key)) {
            sftp.put("/first.csv", "1".getBytes(StandardCharsets.UTF_8));
            sftp.put("/second.csv", "2".getBytes(StandardCharsets.UTF_8));
        }
        await(() -> admin.get("/api/v1/event-deliveries?rule=deadletter&status=dead").json().get("totalElements").asLong() == 2,
                "both dead after sftp.events.retry.max-age (20s)");
        JsonNode dead = admin.get("/api/v1/event-deliveries?rule=deadletter&status=dead").json().get("content");
        for (JsonNode d : dead) {
            assertThat(d.get("lastStatus").asInt()).isEqualTo(503);
            assertThat(d.get("lastError").asString()).startsWith("HTTP 503").contains("{\"answer\":503}");
            assertThat(d.get("attempts").asInt()).isGreaterThan(2);
        }
        clearScript("/dead");
        long one = dead.get(0).get("id").asLong();
        var retried = admin.post("/api/v1/event-deliveries/" + one + "/retry", null);
        assertThat(retried.status()).as(retried.body()).isEqualTo(200);
        await(() -> "delivered".equals(admin.get("/api/v1/event-deliveries/" + one).json().get("status").asString()), "replayed one");
        var bulk = admin.post("/api/v1/event-deliveries/retry?rule=deadletter&status=dead", null);
        assertThat(bulk.status()).as(bulk.body()).isEqualTo(200);
        assertThat(bulk.json().get("retried").asInt()).isEqualTo(1);
        await(() -> admin.get("/api/v1/event-deliveries?rule=deadletter&status=delivered").json().get("totalElements").asLong() == 2,
                "replayed in bulk");
        // a delivered one sent again: a new delivery of the same event
        var again = admin.post("/api/v1/event-deliveries/" + one + "/retry", null);
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.json().get("id").asLong()).isNotEqualTo(one);
        assertThat(again.json().get("eventId").asLong()).isEqualTo(dead.get(0).get("eventId").asLong());
        await(() -> admin.get("/api/v1/event-deliveries?rule=deadletter&status=delivered").json().get("totalElements").asLong() == 3,
                "sent again");
        assertThat(admin.get("/api/v1/audit?type=ADMIN&path=/api/v1/event-deliveries").body()).contains("retried 1 dead event deliveries");
    }

    @Test
    void twoInstancesOnOneDatabaseSendEachEventOnce() throws Exception {
        KeyPair key = user("replicas");
        createRule(rule("replicas", "[\"UPLOAD\"]", "replicas", "[]",
                "{\"type\":\"webhook\",\"url\":" + quote(receiver.url("/replicas")) + "}"));
        int files = 40;
        try (FerryInstance second = FerryInstance.start(ferry.database(), ferry.storageRoot(), SETTINGS)) {
            List<Thread> uploaders = new ArrayList<>();
            for (FerryInstance instance : List.of(ferry, second)) {
                Thread t = new Thread(() -> {
                    try (SftpTestClient sftp = SftpTestClient.withKey(instance.sftpPort(), "replicas", key)) {
                        for (int i = 0; i < files / 2; i++) {
                            sftp.put("/" + instance.sftpPort() + "-" + i + ".csv", new byte[] {(byte) i});
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                t.start();
                uploaders.add(t);
            }
            for (Thread t : uploaders) {
                t.join();
            }
            await(() -> receiver.requests(r -> r.path().equals("/replicas")).size() >= files, "every event");
        }
        Map<String, Long> perEvent = receiver.requests(r -> r.path().equals("/replicas")).stream()
                .collect(Collectors.groupingBy(r -> r.header("Ferry-Event-Id"), Collectors.counting()));
        assertThat(perEvent).hasSize(files);
        assertThat(perEvent.values()).allMatch(n -> n == 1);
    }

    @Test
    void aWorkerPollingHourlyIsWokenByTheDatabaseForNewEventsAndAtItsRetryTimes() throws Exception {
        Map<String, String> hourly = new java.util.HashMap<>(SETTINGS);
        hourly.put("sftp.events.poll-interval", "1h");
        try (FerryInstance sleepy = FerryInstance.start(TestPostgres.get().newDatabase(), FerryInstance.tempDir("ferry-events-hourly"),
                hourly)) {
            AdminClient own = sleepy.admin();
            KeyPair key = TestKeys.ed25519();
            Users.create(own, "woken", key, null);
            receiver.script("/woken", new WebhookReceiver.Status(500));
            var created = own.post("/api/v1/event-rules", rule("woken", "[\"UPLOAD\"]", "woken", "[]",
                    "{\"type\":\"webhook\",\"url\":" + quote(receiver.url("/woken")) + "}"));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            // The worker claimed (nothing) at start and next polls in an hour: only a notification
            // from the database wakes it for these, and only its own retry timer for the one answered 500.
            try (SftpTestClient sftp = SftpTestClient.withKey(sleepy.sftpPort(), "woken", key)) {
                for (int i = 0; i < 3; i++) {
                    sftp.put("/w" + i + ".csv", new byte[] {(byte) i});
                }
            }
            await(() -> accepted("/woken").size() == 3, "three events accepted, one after a retry");
            assertThat(receiver.requests(r -> r.path().equals("/woken"))).hasSize(4);
            assertOrderedPerFile("/woken");
        }
    }

    @Test
    void badRulesAreRefusedWithTheFieldNamed() {
        String hook = "{\"type\":\"webhook\",\"url\":\"https://hooks.example.com/x\"}";
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put(rule("b1", "[\"UPLOADED\"]", null, "[]", hook), "events[0]");
        cases.put(rule("b2", "[]", null, "[]", hook), "events");
        cases.put(rule("b3", "[\"UPLOAD\"]", null, "[\"/in/[a\"]", hook), "paths[0]");
        cases.put(rule("b4", "[\"UPLOAD\"]", null, "[\"/in\", \"in/*.csv\"]", hook), "paths[1]");
        cases.put(rule("b5", "[\"UPLOAD\"]", null, "[]", "{\"type\":\"webhook\",\"url\":\"ftp://x.example.com/\"}"), "actions[0].url");
        cases.put(rule("b6", "[\"UPLOAD\"]", null, "[]", "{\"type\":\"webhook\",\"url\":\"https://u:p@x.example.com/\"}"),
                "actions[0].url");
        cases.put(rule("b7", "[\"UPLOAD\"]", null, "[]", "{\"type\":\"webhook\"}"), "actions[0].url");
        cases.put(rule("b8", "[\"UPLOAD\"]", null, "[]", hook + ",{\"type\":\"kafka\",\"topic\":\"a/b\"}"), "actions[1].topic");
        cases.put(rule("b9", "[\"UPLOAD\"]", null, "[]", ""), "actions");
        cases.put(rule("b10", "[\"UPLOAD\"]", null, "[]", "{\"type\":\"email\"}"), "actions[0].type");
        cases.put(rule("b11", "[\"UPLOAD\"]", null, "[]", "{\"type\":\"webhook\",\"url\":\"https://x.example.com/\",\"secret\":\"short\"}"),
                "actions[0].secret");
        cases.put(rule("b12", "[\"UPLOAD\"]", null, "[]", "{\"type\":\"webhook\",\"url\":\"https://x.example.com/\",\"head\":1}"),
                "actions[0].head");
        cases.put(rule("b13", "[\"UPLOAD\"]", "no spaces allowed", "[]", hook), "usernames[0]");
        cases.put(rule("", "[\"UPLOAD\"]", null, "[]", hook), "name");
        cases.put("{\"name\":\"b14\",\"events\":[\"UPLOAD\"],\"groups\":[\"partners\"],\"actions\":[" + hook + "]}", "groups");
        cases.put("{\"name\":\"b15\",\"events\":[\"UPLOAD\"],\"minSize\":-1,\"actions\":[" + hook + "]}", "minSize");
        cases.forEach((body, field) -> {
            var response = admin.post("/api/v1/event-rules", body);
            assertThat(response.status()).as(body + " -> " + response.body()).isEqualTo(400);
            assertThat(response.json().get("field").asString()).as(body + " -> " + response.body()).isEqualTo(field);
            assertThat(response.json().get("detail").asString()).as(body).contains(field.replaceAll("\\..*", ""));
        });
        var groups = admin.post("/api/v1/event-rules", "{\"name\":\"b14\",\"events\":[\"UPLOAD\"],\"groups\":[\"partners\"],"
                + "\"actions\":[" + hook + "]}");
        assertThat(groups.json().get("detail").asString()).contains("event rules cannot match user groups yet");
        var kafka = admin.post("/api/v1/event-rules", rule("b16", "[\"UPLOAD\"]", null, "[]", "{\"type\":\"kafka\",\"topic\":\"t\"}"));
        assertThat(kafka.json().get("detail").asString()).as(kafka.body()).contains("sftp.events.kafka.bootstrap-servers");
        assertThat(admin.get("/api/v1/event-deliveries?status=lost").status()).isEqualTo(400);
        assertThat(admin.get("/api/v1/event-deliveries?rule=no-such-rule").status()).isEqualTo(400);
        assertThat(admin.get("/api/v1/event-deliveries?rule=a%00b").status()).isEqualTo(400);
        assertThat(admin.get("/api/v1/event-deliveries?rule=99999999999999999999").status()).isEqualTo(400);
        assertThat(admin.post("/api/v1/event-deliveries/retry?status=delivered", null).status()).isEqualTo(400);
        assertThat(admin.post("/api/v1/event-deliveries/999999/retry", null).status()).isEqualTo(404);
        assertThat(admin.get("/api/v1/event-rules").body()).doesNotContain("\"b1\"");
        // the same name twice
        createRule(rule("twice", "[\"UPLOAD\"]", "nobody-uploads", "[]", hook));
        assertThat(admin.post("/api/v1/event-rules", rule("twice", "[\"UPLOAD\"]", "nobody-uploads", "[]", hook)).status()).isEqualTo(409);
    }

    @Test
    void anAuditorReadsRulesAndDeliveriesButChangesNothing() {
        var created = admin.post("/api/v1/admins", "{\"username\":\"events-auditor\",\"password\":\"auditor-password-long\","
                + "\"role\":\"AUDITOR\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        AdminClient auditor = admin.as("events-auditor", "auditor-password-long");
        assertThat(auditor.get("/api/v1/event-rules").status()).isEqualTo(200);
        assertThat(auditor.get("/api/v1/event-deliveries").status()).isEqualTo(200);
        assertThat(auditor.post("/api/v1/event-rules", rule("by-auditor", "[\"UPLOAD\"]", null, "[]",
                "{\"type\":\"webhook\",\"url\":\"https://x.example.com/\"}")).status()).isEqualTo(403);
        assertThat(auditor.post("/api/v1/event-deliveries/retry", null).status()).isEqualTo(403);
    }

    @Test
    void theReadmeReceiverAcceptsFerrysSignatureAndRefusesForgedRequests() throws Exception {
        Matcher block = Pattern.compile("(?s)\\n## File events\\n.*?```python\\n(.*?)```").matcher(Files.readString(Path.of(System.getProperty("basedir", "."), "README.md")));
        assertThat(block.find()).as("README's File events section has the Python receiver").isTrue();
        Path dir = Files.createTempDirectory("readme-receiver");
        Path script = Files.writeString(dir.resolve("receiver.py"), block.group(1));
        Path output = dir.resolve("output.txt");
        int port = FreePorts.next();
        String secret = "readme-receiver-secret-0123";
        ProcessBuilder builder = new ProcessBuilder("/usr/bin/python3", script.toString()).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().put("FERRY_WEBHOOK_SECRET", secret);
        builder.environment().put("PORT", String.valueOf(port));
        Process python = builder.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            await(() -> {
                try (java.net.Socket probe = new java.net.Socket("127.0.0.1", port)) {
                    return true;
                } catch (java.io.IOException e) {
                    return false;
                }
            }, "the README's receiver listening");
            KeyPair key = user("readme");
            createRule(rule("readme", "[\"UPLOAD\"]", "readme", "[]", "{\"type\":\"webhook\",\"url\":"
                    + quote("http://127.0.0.1:" + port + "/") + ",\"secret\":" + quote(secret) + "}"));
            try (SftpTestClient sftp = SftpTestClient.withKey(ferry.sftpPort(), "readme", key)) {
                sftp.put("/r.csv", "r".getBytes(StandardCharsets.UTF_8));
            }
            awaitDelivered("readme", 1);
            JsonNode delivery = admin.get("/api/v1/event-deliveries?rule=readme").json().get("content").get(0);
            assertThat(delivery.get("lastStatus").asInt()).isEqualTo(204);
            assertThat(Files.readString(output)).contains(delivery.get("eventId").asString() + " UPLOAD readme /r.csv");

            long now = Instant.now().getEpochSecond();
            String body = "{\"id\":1,\"type\":\"UPLOAD\",\"username\":\"x\",\"path\":\"/y\"}";
            String signature = "sha256=" + hmacHex(secret, now + "." + body);
            assertThat(post(http, port, now, body, signature)).as("Ferry's recipe, computed here").isEqualTo(204);
            assertThat(post(http, port, now, body.replace("/y", "/z"), signature)).as("another body").isEqualTo(401);
            assertThat(post(http, port, now + 1, body, signature)).as("another timestamp").isEqualTo(401);
            assertThat(post(http, port, now - 3600, body, "sha256=" + hmacHex(secret, (now - 3600) + "." + body)))
                    .as("an old request replayed").isEqualTo(401);
            assertThat(post(http, port, now, body, "sha256=" + hmacHex("another-secret-entirely", now + "." + body))).isEqualTo(401);
        } finally {
            python.destroy();
            python.waitFor();
        }
    }

    static int post(HttpClient http, int port, long timestamp, String body, String signature) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .header("Ferry-Timestamp", String.valueOf(timestamp)).header("Ferry-Signature", signature)
                .header("Ferry-Event-Id", "1").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    // --- helpers

    static KeyPair user(String name) {
        KeyPair key = TestKeys.ed25519();
        Users.create(admin, name, key, null);
        return key;
    }

    static String rule(String name, String events, String username, String paths, String actions) {
        return "{\"name\":" + quote(name) + ",\"events\":" + events + ",\"usernames\":" + (username == null ? "[]" : "[" + quote(username) + "]")
                + ",\"paths\":" + paths + ",\"actions\":[" + actions + "]}";
    }

    static JsonNode createRule(String body) {
        var created = admin.post("/api/v1/event-rules", body);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json();
    }

    static void awaitDelivered(String rule, long count) throws InterruptedException {
        await(() -> admin.get("/api/v1/event-deliveries?status=delivered&rule=" + rule).json().get("totalElements").asLong() == count,
                count + " deliveries of " + rule + " recorded as delivered");
    }

    static List<Request> accepted(String path) {
        return receiver.requests(r -> r.path().equals(path) && r.accepted());
    }

    static void clearScript(String path) {
        receiver.clearScript(path);
    }

    /** Per file (username and path of the body), the events arrive in the order of their ids, and every attempt at a later event comes after the earlier one was accepted. */
    static void assertOrderedPerFile(String path) {
        assertOrderedPerFile(receiver.requests(r -> r.path().equals(path)));
    }

    static void assertOrderedPerFile(List<Request> requests) {
        Map<String, List<Long>> attemptsPerFile = new LinkedHashMap<>();
        for (Request r : requests) {
            JsonNode body = JSON.readTree(r.body());
            attemptsPerFile.computeIfAbsent(body.get("username").asString() + ":" + body.get("path").asString(), k -> new ArrayList<>())
                    .add(body.get("id").asLong());
        }
        attemptsPerFile.forEach((file, ids) -> assertThat(ids).as("event ids of %s in the order attempted", file).isSorted());
    }

    /** Every request the receiver saw is an attempt the outbox counted: nothing sent behind its back. */
    static void assertAttemptsMatchRequests(String rule, String path) {
        Map<String, Long> requests = receiver.requests(r -> r.path().equals(path)).stream()
                .collect(Collectors.groupingBy(r -> r.header("Ferry-Event-Id"), Collectors.counting()));
        Map<String, Long> attempts = new LinkedHashMap<>();
        for (JsonNode d : admin.get("/api/v1/event-deliveries?rule=" + rule + "&size=500").json().get("content")) {
            attempts.put(d.get("eventId").asString(), d.get("attempts").asLong());
        }
        assertThat(requests).isEqualTo(attempts);
    }

    static List<String> fieldNames(JsonNode node) {
        return new ArrayList<>(node.propertyNames());
    }

    static String hmacHex(String secret, String signed) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + WAIT + " for " + what + "; receiver got " + receiver.requests().size()
                        + " requests; deliveries: " + admin.get("/api/v1/event-deliveries?size=20").body());
            }
            Thread.sleep(50);
        }
    }
}
