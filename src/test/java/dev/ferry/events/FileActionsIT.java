package dev.ferry.events;

import static dev.ferry.testsupport.AdminClient.quote;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.TestPostgres;
import dev.ferry.testsupport.TestS3;
import dev.ferry.testsupport.Users;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Move and copy actions end to end on one running Ferry with local and S3 homes (S3Proxy): files
 * uploaded by a real SFTP client land where the rule says, whole, with both users' quotas and the
 * audit trail right; a full quota fails, dies and is replayed; a replayed move does nothing twice;
 * a rule that would feed itself acts once. Each case has its own users, so no rule matches
 * another case's files.
 */
class FileActionsIT {

    static final Duration WAIT = Duration.ofSeconds(60);

    static FerryInstance ferry;
    static AdminClient admin;
    static final Map<String, KeyPair> keys = new HashMap<>();

    @BeforeAll
    static void start() {
        TestS3 s3 = TestS3.get();
        Map<String, String> settings = new HashMap<>(EventsIT.SETTINGS);
        settings.putAll(s3.ferrySettings(s3.newBucket()));
        settings.put("sftp.storage.s3.copy-in-parts-above", "5MB"); // a 6 MiB file is copied with UploadPartCopy
        ferry = FerryInstance.start(TestPostgres.get().newDatabase(), FerryInstance.tempDir("ferry-file-actions"), settings);
        admin = ferry.admin();
    }

    @AfterAll
    static void stop() {
        if (ferry != null) {
            ferry.close();
        }
    }

    @Test
    void aPartnersUploadIsMovedToOpsAcrossEveryPairOfStorages() throws Exception {
        record Pair(String from, String to, int size) {
        }
        List<Pair> pairs = List.of(new Pair("local", "local", 1000), new Pair("local", "s3", 70_000), new Pair("s3", "s3", 6 * 1024 * 1024 + 5),
                new Pair("s3", "local", 3000));
        int n = 0;
        for (Pair pair : pairs) {
            n++;
            String partner = "mv-partner" + n;
            String ops = "mv-ops" + n;
            user(partner, pair.from(), null);
            user(ops, pair.to(), null);
            createRule(rule("move-" + n, "[\"UPLOAD\"]", partner, "[\"/inbox/**\"]",
                    "{\"type\":\"move\",\"to\":\"/incoming/{username}/{filename}\",\"username\":\"" + ops + "\"}"));
            byte[] data = random(pair.size());
            mkdirs(partner, "/inbox");
            upload(partner, "/inbox/report.csv", data);
            awaitDelivered("move-" + n, 1);

            String target = "/incoming/" + partner + "/report.csv";
            assertThat(read(ops, target)).as("%s -> %s: the moved file", pair.from(), pair.to()).isEqualTo(data);
            assertThat(exists(partner, "/inbox/report.csv")).as("%s -> %s: the source is gone", pair.from(), pair.to()).isFalse();
            Users.awaitUsage(admin, ops, data.length, 1, Duration.ofSeconds(10));
            Users.awaitUsage(admin, partner, 0, 0, Duration.ofSeconds(10));

            long eventId = deliveries("move-" + n, "delivered").get(0).get("eventId").asLong();
            JsonNode uploaded = onlyAudit(ops, "UPLOAD", target);
            assertThat(uploaded.get("sessionId").asString()).isEqualTo("event:" + eventId);
            assertThat(uploaded.get("bytes").asLong()).isEqualTo(data.length);
            assertThat(uploaded.get("sha256").asString()).isEqualTo(sha256(data));
            assertThat(uploaded.get("detail").asString()).isEqualTo("event rule 'move-" + n + "': moved from " + partner + ":/inbox/report.csv");
            JsonNode deleted = onlyAudit(partner, "DELETE", "/inbox/report.csv");
            assertThat(deleted.get("sessionId").asString()).isEqualTo("event:" + eventId);
            assertThat(deleted.get("detail").asString()).contains("event rule 'move-" + n + "'");
        }
    }

    @Test
    void aMoveWithinOneHomeIsARenameToTheDatedPath() throws Exception {
        for (String storage : List.of("local", "s3")) {
            String partner = "mv-self-" + storage;
            user(partner, storage, null);
            createRule(rule("self-" + storage, "[\"UPLOAD\",\"RENAME\"]", partner, "[\"/inbox/*\"]",
                    "{\"type\":\"move\",\"to\":\"/done/{date}{path}/{filename}\"}"));
            byte[] data = random(500);
            mkdirs(partner, "/inbox");
            upload(partner, "/up.tmp", data);
            try (SftpTestClient sftp = SftpTestClient.withKey(ferry.sftpPort(), partner, keys.get(partner))) {
                sftp.sftp().rename("/up.tmp", "/inbox/a.csv"); // a RENAME into the watched path
            }
            // the RENAME into /inbox, and the move's own RENAME out of it (delivered without acting: the loop guard)
            awaitDelivered("self-" + storage, 2);
            String target = "/done/" + LocalDate.now(ZoneOffset.UTC) + "/inbox/a.csv";
            assertThat(read(partner, target)).isEqualTo(data);
            assertThat(exists(partner, "/inbox/a.csv")).isFalse();
            Users.awaitUsage(admin, partner, data.length, 1, Duration.ofSeconds(10));
            JsonNode renamed = onlyAudit(partner, "RENAME", target);
            assertThat(renamed.get("path").asString()).isEqualTo("/inbox/a.csv");
            assertThat(renamed.get("targetPath").asString()).isEqualTo(target);
            assertThat(renamed.get("sessionId").asString()).startsWith("event:");
        }
    }

    @Test
    void aCopyLeavesTheSourceAndChargesTheReceiver() throws Exception {
        int n = 0;
        for (String[] pair : List.of(new String[] {"local", "s3"}, new String[] {"s3", "s3"}, new String[] {"local", "local"})) {
            n++;
            String partner = "cp-partner" + n;
            String ops = "cp-ops" + n;
            user(partner, pair[0], null);
            user(ops, pair[1], null);
            createRule(rule("copy-" + n, "[\"UPLOAD\"]", partner, "[\"/inbox/**\"]",
                    "{\"type\":\"copy\",\"to\":\"/archive{path}/{filename}\",\"username\":\"" + ops + "\"}"));
            byte[] data = random(2000 + n);
            mkdirs(partner, "/inbox/2026");
            upload(partner, "/inbox/2026/b.csv", data);
            awaitDelivered("copy-" + n, 1);
            assertThat(read(ops, "/archive/inbox/2026/b.csv")).isEqualTo(data);
            assertThat(read(partner, "/inbox/2026/b.csv")).isEqualTo(data);
            Users.awaitUsage(admin, ops, data.length, 1, Duration.ofSeconds(10));
            Users.awaitUsage(admin, partner, data.length, 1, Duration.ofSeconds(10));
            assertThat(onlyAudit(ops, "UPLOAD", "/archive/inbox/2026/b.csv").get("detail").asString())
                    .isEqualTo("event rule 'copy-" + n + "': copied from " + partner + ":/inbox/2026/b.csv");
        }
    }

    @Test
    void aFullQuotaFailsTheDeliveryUntilDeadAndAReplayAfterRaisingItPlacesTheFile() throws Exception {
        user("q-partner", "local", null);
        user("q-ops", "s3", "\"quota\":{\"maxBytes\":100}");
        createRule(rule("quota-full", "[\"UPLOAD\"]", "q-partner", "[]",
                "{\"type\":\"move\",\"to\":\"/incoming/{filename}\",\"username\":\"q-ops\"}"));
        byte[] data = random(5000);
        upload("q-partner", "/big.bin", data);
        await(() -> !deliveries("quota-full", "dead").isEmpty(), "the move dead after sftp.events.retry.max-age");
        JsonNode dead = deliveries("quota-full", "dead").get(0);
        assertThat(dead.get("attempts").asInt()).isGreaterThan(1);
        assertThat(dead.get("lastError").asString()).contains("q-ops").contains("quota exceeded").contains("100 bytes");
        assertThat(exists("q-ops", "/incoming/big.bin")).isFalse();
        assertThat(read("q-partner", "/big.bin")).isEqualTo(data);
        Users.awaitUsage(admin, "q-ops", 0, 0, Duration.ofSeconds(10));

        Users.update(admin, "q-ops", u -> ((tools.jackson.databind.node.ObjectNode) u.get("quota")).put("maxBytes", 1_000_000));
        assertThat(admin.post("/api/v1/event-deliveries/" + dead.get("id").asLong() + "/retry", null).status()).isEqualTo(200);
        awaitDelivered("quota-full", 1);
        assertThat(read("q-ops", "/incoming/big.bin")).isEqualTo(data);
        assertThat(exists("q-partner", "/big.bin")).isFalse();
        Users.awaitUsage(admin, "q-ops", data.length, 1, Duration.ofSeconds(10));
        Users.awaitUsage(admin, "q-partner", 0, 0, Duration.ofSeconds(10));
    }

    @Test
    void aMoveReplayedAfterItWasDoneIsDeliveredWithoutDoingAnythingTwice() throws Exception {
        user("re-partner", "s3", null);
        user("re-ops", "local", null);
        createRule(rule("replayed", "[\"UPLOAD\"]", "re-partner", "[]",
                "{\"type\":\"move\",\"to\":\"/incoming/{filename}\",\"username\":\"re-ops\"}"));
        byte[] data = random(1234);
        upload("re-partner", "/x.csv", data);
        awaitDelivered("replayed", 1);
        long eventId = deliveries("replayed", "delivered").get(0).get("eventId").asLong();
        long id = deliveries("replayed", "delivered").get(0).get("id").asLong();
        for (int i = 0; i < 2; i++) {
            // a delivered delivery replayed is a new delivery of the same event: the source is gone, the target holds it
            assertThat(admin.post("/api/v1/event-deliveries/" + id + "/retry", null).status()).isEqualTo(200);
            awaitDelivered("replayed", 2 + i);
        }
        assertThat(deliveries("replayed", "delivered")).allSatisfy(d -> assertThat(d.get("eventId").asLong()).isEqualTo(eventId));
        assertThat(read("re-ops", "/incoming/x.csv")).isEqualTo(data);
        assertThat(list("re-ops", "/incoming")).containsExactly("x.csv");
        Users.awaitUsage(admin, "re-ops", data.length, 1, Duration.ofSeconds(10));
        Users.awaitUsage(admin, "re-partner", 0, 0, Duration.ofSeconds(10));
        assertThat(onlyAudit("re-ops", "UPLOAD", "/incoming/x.csv").get("sessionId").asString()).isEqualTo("event:" + eventId);
        assertThat(onlyAudit("re-partner", "DELETE", "/x.csv").get("sessionId").asString()).isEqualTo("event:" + eventId);

        // A source that is gone while the target does not hold the event's file: a failure, not a delivery.
        upload("re-partner", "/y.csv", data);
        awaitDelivered("replayed", 4);
        upload("re-ops", "/incoming/y.csv", random(1234)); // same size, other bytes
        long second = deliveries("replayed", "delivered").get(0).get("id").asLong();
        admin.post("/api/v1/event-deliveries/" + second + "/retry", null);
        await(() -> deliveries("replayed", "pending").stream().anyMatch(d -> d.path("lastError").asString("").contains("does not hold it")),
                "the replay failing: the target holds other bytes");
    }

    @Test
    void aRuleWhoseTargetMatchesItsOwnPathsActsOnce() throws Exception {
        user("looper", "local", null);
        createRule(rule("loop", "[\"UPLOAD\"]", "looper", "[\"/drop/**\"]",
                "{\"type\":\"copy\",\"to\":\"{path}/copy-{filename}\"}"));
        mkdirs("looper", "/drop");
        upload("looper", "/drop/a.txt", random(10));
        // the copy's own UPLOAD record matches the rule too: it is delivered without acting
        awaitDelivered("loop", 2);
        Thread.sleep(1000); // generous time for a loop to show itself, if there were one (not a timing assertion)
        assertThat(list("looper", "/drop")).containsExactlyInAnyOrder("a.txt", "copy-a.txt");
        assertThat(deliveries("loop", "pending")).isEmpty();
        assertThat(deliveries("loop", "delivered")).hasSize(2);
    }

    @Test
    void badActionsAre400NamingTheField() {
        user("bad-ops", "local", null);
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("{\"type\":\"move\"}", "actions[0].to");
        cases.put("{\"type\":\"move\",\"to\":\"incoming/{filename}\"}", "actions[0].to");
        cases.put("{\"type\":\"move\",\"to\":\"/in/../../etc/{filename}\"}", "actions[0].to");
        cases.put("{\"type\":\"copy\",\"to\":\"/in/{file}\"}", "actions[0].to");
        cases.put("{\"type\":\"copy\",\"to\":\"/in/\"}", "actions[0].to");
        cases.put("{\"type\":\"copy\",\"to\":7}", "actions[0].to");
        cases.put("{\"type\":\"move\",\"to\":\"/in/{filename}\",\"username\":\"nobody-here\"}", "actions[0].username");
        cases.put("{\"type\":\"move\",\"to\":\"/in/{filename}\",\"user\":\"bad-ops\"}", "actions[0].user");
        int i = 0;
        for (Map.Entry<String, String> c : cases.entrySet()) {
            var answer = admin.post("/api/v1/event-rules", rule("bad-" + i++, "[\"UPLOAD\"]", null, "[]", c.getKey()));
            assertThat(answer.status()).as(c.getKey() + ": " + answer.body()).isEqualTo(400);
            assertThat(answer.json().get("field").asString()).as(c.getKey()).isEqualTo(c.getValue());
            assertThat(answer.body()).as(c.getKey()).contains(c.getValue());
        }
        var good = admin.post("/api/v1/event-rules", rule("good-move", "[\"UPLOAD\"]", null, "[]",
                "{\"type\":\"move\",\"to\":\"/in/{date}/{filename}\",\"username\":\"BAD-OPS\"}"));
        assertThat(good.status()).as(good.body()).isEqualTo(201);
        assertThat(good.json().get("actions").get(0).get("username").asString()).isEqualTo("bad-ops");
        admin.delete("/api/v1/event-rules/" + good.json().get("id").asLong());
    }

    // --- helpers

    static void user(String name, String storage, String extra) {
        KeyPair key = TestKeys.ed25519();
        keys.put(name, key);
        String storageJson = storage.equals("s3") ? "{\"type\":\"s3\",\"prefix\":\"" + name + "/\"}" : "{\"type\":\"local\"}";
        Users.create(admin, name, key, "\"storage\":" + storageJson + (extra == null ? "" : "," + extra));
    }

    static String rule(String name, String events, String username, String paths, String actions) {
        return EventsIT.rule(name, events, username, paths, actions);
    }

    static void createRule(String body) {
        var created = admin.post("/api/v1/event-rules", body);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
    }

    static void mkdirs(String user, String path) throws IOException {
        try (SftpTestClient sftp = SftpTestClient.withKey(ferry.sftpPort(), user, keys.get(user))) {
            String at = "";
            for (String name : path.substring(1).split("/")) {
                at += "/" + name;
                sftp.sftp().mkdir(at);
            }
        }
    }

    static void upload(String user, String path, byte[] data) throws IOException {
        try (SftpTestClient sftp = SftpTestClient.withKey(ferry.sftpPort(), user, keys.get(user));
                OutputStream out = sftp.sftp().write(path)) {
            out.write(data);
        }
    }

    static byte[] read(String user, String path) throws IOException {
        try (SftpTestClient sftp = SftpTestClient.withKey(ferry.sftpPort(), user, keys.get(user)); InputStream in = sftp.sftp().read(path)) {
            return in.readAllBytes();
        }
    }

    static boolean exists(String user, String path) throws IOException {
        try (SftpTestClient sftp = SftpTestClient.withKey(ferry.sftpPort(), user, keys.get(user))) {
            sftp.sftp().stat(path);
            return true;
        } catch (SftpException e) {
            if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
                return false;
            }
            throw e;
        }
    }

    static List<String> list(String user, String dir) throws IOException {
        List<String> names = new ArrayList<>();
        try (SftpTestClient sftp = SftpTestClient.withKey(ferry.sftpPort(), user, keys.get(user))) {
            sftp.sftp().readDir(dir).forEach(e -> {
                if (!e.getFilename().equals(".") && !e.getFilename().equals("..")) {
                    names.add(e.getFilename());
                }
            });
        }
        return names;
    }

    static List<JsonNode> deliveries(String rule, String status) {
        List<JsonNode> out = new ArrayList<>();
        admin.get("/api/v1/event-deliveries?size=100&rule=" + rule + "&status=" + status).json().get("content").forEach(out::add);
        return out;
    }

    static void awaitDelivered(String rule, int count) throws InterruptedException {
        await(() -> deliveries(rule, "delivered").size() == count && deliveries(rule, "pending").isEmpty(),
                count + " deliveries of " + rule + " delivered");
    }

    /** The one audit record of this type, user and exact path. */
    static JsonNode onlyAudit(String user, String type, String path) {
        List<JsonNode> found = new ArrayList<>();
        admin.get("/api/v1/audit?size=100&username=" + user + "&type=" + type + "&path=" + path).json().get("content").forEach(r -> {
            if (r.get("path").asString().equals(path) || r.path("targetPath").asString("").equals(path)) {
                found.add(r);
            }
        });
        assertThat(found).as("%s records of %s at %s", type, user, path).hasSize(1);
        return found.get(0);
    }

    static byte[] random(int size) {
        byte[] data = new byte[size];
        new Random(size * 31L + System.nanoTime()).nextBytes(data);
        return data;
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + WAIT + " for " + what + "; deliveries: "
                        + admin.get("/api/v1/event-deliveries?size=20").body());
            }
            Thread.sleep(50);
        }
    }
}
