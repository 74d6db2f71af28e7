package dev.ferry.retention;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.PrometheusScrape;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.TestPostgres;
import dev.ferry.testsupport.TestS3;
import dev.ferry.testsupport.Users;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.common.SftpException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * Retention rules against a real server: files uploaded with an SFTP client into local and S3 homes,
 * made old with SETSTAT as a client would, then previewed, run, audited and metered; two replicas on
 * one database. One instance (and one replica) serve every case; each case has users of its own.
 */
class RetentionIT {

    static final Instant OLD = Instant.now().minus(Duration.ofDays(40));
    static final KeyPair KEY = TestKeys.ed25519();

    static FerryInstance ferry;
    static FerryInstance replica;
    static AdminClient admin;

    @BeforeAll
    static void start() {
        TestS3 s3 = TestS3.get();
        Map<String, String> settings = new HashMap<>(s3.ferrySettings(s3.newBucket()));
        settings.put("sftp.retention.initial-delay", "1h"); // the cases start rounds themselves
        ferry = FerryInstance.start(TestPostgres.get().newDatabase(), FerryInstance.tempDir("ferry-files"), settings);
        replica = FerryInstance.start(ferry.database(), ferry.storageRoot(), settings);
        admin = ferry.admin();
    }

    @AfterAll
    static void stop() {
        if (replica != null) {
            replica.close();
        }
        if (ferry != null) {
            ferry.close();
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    static String storage(String type) {
        return type.equals("s3") ? "\"storage\":{\"type\":\"s3\"}" : "\"storage\":{\"type\":\"local\"}";
    }

    /** Uploads each file (its content is its own path) and sets its modification time, all through SFTP. */
    static void upload(String username, Map<String, Instant> files, String... directories) throws Exception {
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), username, KEY)) {
            SftpClient sftp = client.sftp();
            for (String dir : directories) {
                sftp.mkdir(dir);
            }
            for (Map.Entry<String, Instant> file : files.entrySet()) {
                client.put(file.getKey(), file.getKey().getBytes(StandardCharsets.UTF_8));
                sftp.setStat(file.getKey(), new SftpClient.Attributes().modifyTime(FileTime.from(file.getValue()))
                        .accessTime(FileTime.from(file.getValue())));
            }
        }
    }

    static Set<String> filesOf(String username) throws Exception {
        Set<String> found = new TreeSet<>();
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), username, KEY)) {
            collect(client.sftp(), "/", found);
        }
        return found;
    }

    private static void collect(SftpClient sftp, String dir, Set<String> found) throws Exception {
        for (SftpClient.DirEntry entry : sftp.readDir(dir)) {
            if (entry.getFilename().equals(".") || entry.getFilename().equals("..")) {
                continue;
            }
            String path = (dir.equals("/") ? "" : dir) + "/" + entry.getFilename();
            if (entry.getAttributes().isDirectory()) {
                found.add(path + "/");
                collect(sftp, path, found);
            } else {
                found.add(path);
            }
        }
    }

    static long createRule(String json) {
        AdminClient.Response created = admin.post("/api/v1/retention-rules", json);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.header("Location")).endsWith("/api/v1/retention-rules/" + created.json().get("id").asLong());
        return created.json().get("id").asLong();
    }

    static JsonNode preview(long id) {
        AdminClient.Response preview = admin.get("/api/v1/retention-rules/" + id + "/preview");
        assertThat(preview.status()).as(preview.body()).isEqualTo(200);
        return preview.json();
    }

    static JsonNode run(long id) {
        AdminClient.Response run = admin.post("/api/v1/retention-rules/" + id + "/run", "");
        assertThat(run.status()).as(run.body()).isEqualTo(200);
        return run.json();
    }

    static Set<String> paths(JsonNode report, String username) {
        Set<String> paths = new TreeSet<>();
        for (JsonNode file : report.get("files")) {
            assertThat(file.get("username").asString()).isEqualTo(username);
            paths.add(file.get("path").asString());
        }
        return paths;
    }

    static List<JsonNode> deleteRecords(String username) {
        AdminClient.Response audit = admin.get("/api/v1/audit?type=DELETE&size=500&username=" + username);
        assertThat(audit.status()).as(audit.body()).isEqualTo(200);
        List<JsonNode> records = new ArrayList<>();
        audit.json().get("content").forEach(records::add);
        return records;
    }

    // ---- cases ------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"local", "s3"})
    void dryRunListsExactlyTheOldFilesUnderThePathAndRunDeletesExactlyThose(String type) throws Exception {
        String user = "keep-" + type;
        String other = "other-" + type;
        Users.create(admin, user, KEY, storage(type));
        Users.create(admin, other, KEY, storage(type));
        Instant fresh = Instant.now().minus(Duration.ofDays(2));
        Map<String, Instant> files = new HashMap<>(Map.of(
                "/outbox/old.txt", OLD,
                "/outbox/sub/old.csv", OLD,
                "/outbox/sub/deeper/old.bin", OLD,
                "/outbox/new.txt", fresh,
                "/inbox/old.txt", OLD,
                "/outboxes/old.txt", OLD));
        upload(user, files, "/outbox", "/outbox/sub", "/outbox/sub/deeper", "/outbox/empty", "/inbox", "/outboxes");
        upload(other, Map.of("/outbox/old.txt", OLD), "/outbox");
        long usedBytes = Users.usedBytes(admin, user);
        long usedFiles = Users.usedFiles(admin, user);
        assertThat(usedFiles).isEqualTo(6);

        long id = createRule("{\"name\":\"outbox-30d-" + type + "\",\"path\":\"/outbox/**\",\"username\":\"" + user + "\",\"days\":30}");
        Set<String> expected = Set.of("/outbox/old.txt", "/outbox/sub/old.csv", "/outbox/sub/deeper/old.bin");
        long expectedBytes = expected.stream().mapToLong(p -> p.length()).sum();

        JsonNode preview = preview(id);
        assertThat(preview.get("dryRun").asBoolean()).isTrue();
        assertThat(paths(preview, user)).isEqualTo(expected);
        assertThat(preview.get("totalFiles").asLong()).isEqualTo(3);
        assertThat(preview.get("totalBytes").asLong()).isEqualTo(expectedBytes);
        for (JsonNode file : preview.get("files")) {
            assertThat(file.get("size").asLong()).isEqualTo(file.get("path").asString().length());
            assertThat(Instant.parse(file.get("modifiedAt").asString())).isBetween(OLD.minusSeconds(1), OLD.plusSeconds(1));
        }
        assertThat(filesOf(user)).as("a dry run deletes nothing").contains("/outbox/old.txt", "/outbox/sub/old.csv");

        JsonNode run = run(id);
        assertThat(run.get("dryRun").asBoolean()).isFalse();
        assertThat(paths(run, user)).isEqualTo(expected);
        assertThat(run.get("failures")).isEmpty();
        assertThat(filesOf(user)).containsExactlyInAnyOrder("/outbox/", "/outbox/new.txt", "/outbox/sub/", "/outbox/sub/deeper/",
                "/outbox/empty/", "/inbox/", "/inbox/old.txt", "/outboxes/", "/outboxes/old.txt");
        assertThat(filesOf(other)).as("another user's files, the rule naming a user").contains("/outbox/old.txt");

        List<JsonNode> records = deleteRecords(user);
        assertThat(records).hasSize(3);
        assertThat(records).extracting(r -> r.get("path").asString()).containsExactlyInAnyOrderElementsOf(expected);
        for (JsonNode record : records) {
            assertThat(record.get("detail").asString()).isEqualTo("retention rule 'outbox-30d-" + type + "': older than 30 days");
            assertThat(record.get("sessionId").asString()).isEqualTo("system:retention");
            assertThat(record.get("remoteAddress").isNull()).isTrue();
            assertThat(record.get("status").asString()).isEqualTo("OK");
            assertThat(record.get("bytes").asLong()).isEqualTo(record.get("path").asString().length());
        }
        Users.awaitUsage(admin, user, usedBytes - expectedBytes, usedFiles - 3, Duration.ofSeconds(5));

        JsonNode again = run(id);
        assertThat(again.get("totalFiles").asLong()).as("nothing left to delete").isZero();
        assertThat(deleteRecords(user)).hasSize(3);
    }

    @Test
    void aRuleForEveryUserMatchesGlobsInLocalAndS3Homes() throws Exception {
        Users.create(admin, "all-local", KEY, storage("local"));
        Users.create(admin, "all-s3", KEY, storage("s3"));
        for (String user : List.of("all-local", "all-s3")) {
            upload(user, Map.of("/reports/acme/a.csv", OLD, "/reports/acme/a.txt", OLD, "/reports/acme/deep/b.csv", OLD,
                    "/reports/c.csv", OLD), "/reports", "/reports/acme", "/reports/acme/deep");
        }
        // a home that cannot be walked (its bucket does not exist) is reported; the other homes are swept all the same
        Users.create(admin, "all-broken", KEY, "\"storage\":{\"type\":\"s3\",\"bucket\":\"ferry-no-such-bucket\"}");
        long id = createRule("{\"name\":\"reports-csv\",\"path\":\"/reports/*/*.csv\",\"days\":7}");
        JsonNode run = run(id);
        assertThat(run.get("failures")).hasSize(1);
        assertThat(run.get("failures").get(0).asString()).startsWith("all-broken: ");
        Set<String> deleted = new TreeSet<>();
        run.get("files").forEach(f -> deleted.add(f.get("username").asString() + ":" + f.get("path").asString()));
        assertThat(deleted).containsExactlyInAnyOrder("all-local:/reports/acme/a.csv", "all-s3:/reports/acme/a.csv");
        for (String user : List.of("all-local", "all-s3")) {
            assertThat(filesOf(user)).containsExactlyInAnyOrder("/reports/", "/reports/acme/", "/reports/acme/a.txt",
                    "/reports/acme/deep/", "/reports/acme/deep/b.csv", "/reports/c.csv");
        }
        admin.delete("/api/v1/retention-rules/" + id);
    }

    @Test
    void aFileChangedOrRemovedAfterItWasSeenStays() throws Exception {
        Users.create(admin, "touchy", KEY, storage("local"));
        upload("touchy", Map.of("/outbox/touched.txt", OLD, "/outbox/seen.txt", OLD, "/outbox/gone.txt", OLD), "/outbox");
        long id = createRule("{\"name\":\"touchy\",\"path\":\"/outbox\",\"username\":\"touchy\",\"days\":30}");
        JsonNode preview = preview(id);
        assertThat(paths(preview, "touchy")).containsExactlyInAnyOrder("/outbox/touched.txt", "/outbox/seen.txt", "/outbox/gone.txt");

        // between the dry run and the run, a client refreshes one file's time
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "touchy", KEY)) {
            client.sftp().setStat("/outbox/touched.txt", new SftpClient.Attributes().modifyTime(FileTime.from(Instant.now()))
                    .accessTime(FileTime.from(Instant.now())));
        }
        RetentionSweep sweep = ferry.bean(RetentionSweep.class);
        RetentionRule rule = ferry.bean(RetentionRules.class).get(id);
        Map<String, RetentionFile> seen = new HashMap<>();
        for (JsonNode f : preview.get("files")) {
            seen.put(f.get("path").asString(), new RetentionFile("touchy", f.get("path").asString(), f.get("size").asLong(),
                    java.time.OffsetDateTime.parse(f.get("modifiedAt").asString())));
        }
        // the step a run takes for a file its walk saw: a file changed since is left, one removed since is skipped
        assertThat(sweep.deleteIfUnchanged(rule, seen.get("/outbox/touched.txt"))).isEqualTo(RetentionSweep.Outcome.CHANGED);
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "touchy", KEY)) {
            client.sftp().remove("/outbox/gone.txt");
        }
        assertThat(sweep.deleteIfUnchanged(rule, seen.get("/outbox/gone.txt"))).isEqualTo(RetentionSweep.Outcome.VANISHED);
        assertThat(filesOf("touchy")).contains("/outbox/touched.txt", "/outbox/seen.txt");

        JsonNode run = run(id);
        assertThat(paths(run, "touchy")).containsExactly("/outbox/seen.txt");
        assertThat(filesOf("touchy")).containsExactlyInAnyOrder("/outbox/", "/outbox/touched.txt");
        List<JsonNode> bySystem = deleteRecords("touchy").stream().filter(r -> r.get("sessionId").asString().equals("system:retention"))
                .toList();
        assertThat(bySystem).extracting(r -> r.get("path").asString()).containsExactly("/outbox/seen.txt");
    }

    @Test
    void symbolicLinksAreNotFollowedOutOfTheHome() throws Exception {
        Users.create(admin, "linker", KEY, storage("local"));
        upload("linker", Map.of("/outbox/old.txt", OLD), "/outbox");
        Path outside = Files.createTempDirectory("ferry-outside");
        Path secret = Files.writeString(outside.resolve("secret.txt"), "not yours");
        Files.setLastModifiedTime(secret, FileTime.from(OLD));
        Path home = ferry.homeOf("linker");
        Files.createSymbolicLink(home.resolve("outbox/dir-link"), outside);
        Files.createSymbolicLink(home.resolve("outbox/file-link.txt"), secret);
        for (String link : List.of("outbox/dir-link", "outbox/file-link.txt")) { // the links themselves old, as their targets
            Files.getFileAttributeView(home.resolve(link), java.nio.file.attribute.BasicFileAttributeView.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS).setTimes(FileTime.from(OLD), FileTime.from(OLD), null);
        }
        Path outsideOld = Files.writeString(outside.resolve("old-too.txt"), "not yours either");
        Files.setLastModifiedTime(outsideOld, FileTime.from(OLD));
        long id = createRule("{\"name\":\"linker\",\"path\":\"/outbox/**\",\"username\":\"linker\",\"days\":30}");

        assertThat(paths(preview(id), "linker")).containsExactly("/outbox/old.txt");
        JsonNode run = run(id);
        assertThat(paths(run, "linker")).containsExactly("/outbox/old.txt");
        assertThat(secret).exists();
        assertThat(outsideOld).exists();
        assertThat(Files.getLastModifiedTime(home.resolve("outbox/file-link.txt"), java.nio.file.LinkOption.NOFOLLOW_LINKS).toInstant())
                .as("the link is as old as the rule asks").isBefore(Instant.now().minus(Duration.ofDays(30)));
        assertThat(home.resolve("outbox/file-link.txt")).isSymbolicLink();
        assertThat(home.resolve("outbox/dir-link")).isSymbolicLink();
    }

    @Test
    void badInputIsRefusedNamingTheField() {
        Users.create(admin, "exists", KEY, storage("local"));
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put("{\"path\":\"/outbox/**\",\"days\":30}", "name");
        refused.put("{\"name\":\"a\",\"days\":30}", "path");
        refused.put("{\"name\":\"a\",\"path\":\"outbox/**\",\"days\":30}", "path");
        refused.put("{\"name\":\"a\",\"path\":\"/outbox/../etc\",\"days\":30}", "path");
        refused.put("{\"name\":\"a\",\"path\":\"/outbox/./x\",\"days\":30}", "path");
        refused.put("{\"name\":\"a\",\"path\":\"/outbox/a**\",\"days\":30}", "path");
        refused.put("{\"name\":\"a\",\"path\":\"/outbox/{name}\",\"days\":30}", "path");
        refused.put("{\"name\":\"a\",\"path\":\"/outbox//x\",\"days\":30}", "path");
        refused.put("{\"name\":\"a\",\"path\":\"/out\\u0000box\",\"days\":30}", "path");
        refused.put("{\"name\":\"a\",\"path\":\"/out\\ud800box\",\"days\":30}", "path");
        refused.put("{\"name\":\"a\\udc00\",\"path\":\"/outbox\",\"days\":30}", "name");
        refused.put("{\"name\":\"a\\nb\",\"path\":\"/outbox\",\"days\":30}", "name");
        refused.put("{\"name\":\"" + "n".repeat(101) + "\",\"path\":\"/outbox\",\"days\":30}", "name");
        refused.put("{\"name\":\"a\",\"path\":\"/outbox/**\",\"days\":36501}", "days");
        refused.put("{\"name\":\"a\",\"path\":\"/outbox/**\"}", "days");
        refused.put("{\"name\":\"a\",\"path\":\"/outbox/**\",\"days\":0}", "days");
        refused.put("{\"name\":\"a\",\"path\":\"/outbox/**\",\"days\":-5}", "days");
        refused.put("{\"name\":\"a\",\"path\":\"/outbox/**\",\"days\":30,\"username\":\"nobody-here\"}", "username");
        refused.put("{\"name\":\"a\",\"path\":\"/outbox/**\",\"days\":30,\"username\":\"../etc\"}", "username");
        refused.put("{\"name\":\"a\",\"path\":\"/outbox/**\",\"days\":\"many\"}", "days");
        refused.put("{\"name\":\"a\",\"path\":\"/outbox/**\",\"days\":30,\"colour\":\"red\"}", "colour");
        for (Map.Entry<String, String> body : refused.entrySet()) {
            assertProblem(admin.post("/api/v1/retention-rules", body.getKey()), 400, body.getValue());
        }
        assertThat(admin.get("/api/v1/retention-rules").json()).noneMatch(r -> r.get("name").asString().equals("a"));

        long id = createRule("{\"name\":\"dup\",\"path\":\"/x\",\"days\":1,\"username\":\"EXISTS\"}");
        assertThat(admin.get("/api/v1/retention-rules/" + id).json().get("username").asString()).isEqualTo("exists");
        assertProblem(admin.post("/api/v1/retention-rules", "{\"name\":\"DUP\",\"path\":\"/x\",\"days\":1}"), 409, "name");
        assertProblem(admin.put("/api/v1/retention-rules/" + id, "{\"name\":\"dup\",\"path\":\"x\",\"days\":1}"), 400, "path");
        assertProblem(admin.get("/api/v1/retention-rules/999999"), 404, null);
        assertProblem(admin.get("/api/v1/retention-rules/999999/preview"), 404, null);
        assertProblem(admin.post("/api/v1/retention-rules/999999/run", ""), 404, null);
        assertProblem(admin.get("/api/v1/retention-rules/" + id + "/preview?size=0"), 400, null);
        assertProblem(admin.get("/api/v1/retention-rules/abc"), 400, null);
        assertThat(admin.delete("/api/v1/retention-rules/" + id).status()).isEqualTo(204);
    }

    @Test
    void adminsWriteAuditorsReadAndEveryChangeIsAudited() {
        AdminClient.Response created = admin.post("/api/v1/admins", "{\"username\":\"ret-auditor\",\"password\":\"auditor-password-1\","
                + "\"role\":\"AUDITOR\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        AdminClient auditor = admin.as("ret-auditor", "auditor-password-1");
        long id = createRule("{\"name\":\"audited\",\"path\":\"/outbox/**\",\"days\":30,\"enabled\":false}");
        assertThat(auditor.get("/api/v1/retention-rules").status()).isEqualTo(200);
        assertThat(auditor.get("/api/v1/retention-rules/" + id).json().get("enabled").asBoolean()).isFalse();
        assertThat(auditor.get("/api/v1/retention-rules/" + id + "/preview").status()).isEqualTo(200);
        assertProblem(auditor.post("/api/v1/retention-rules", "{\"name\":\"b\",\"path\":\"/x\",\"days\":1}"), 403, null);
        assertProblem(auditor.post("/api/v1/retention-rules/" + id + "/run", ""), 403, null);
        assertProblem(auditor.delete("/api/v1/retention-rules/" + id), 403, null);
        assertProblem(admin.withoutCredentials().get("/api/v1/retention-rules"), 401, null);

        JsonNode rule = admin.get("/api/v1/retention-rules/" + id).json();
        AdminClient.Response replaced = admin.put("/api/v1/retention-rules/" + id, ((tools.jackson.databind.node.ObjectNode) rule)
                .put("days", 60).put("enabled", true).toString());
        assertThat(replaced.status()).as(replaced.body()).isEqualTo(200);
        assertThat(replaced.json().get("days").asInt()).isEqualTo(60);
        assertThat(admin.delete("/api/v1/retention-rules/" + id).status()).isEqualTo(204);
        assertThat(admin.get("/api/v1/retention-rules/" + id).status()).isEqualTo(404);

        AdminClient.Response audit = admin.get("/api/v1/audit?type=ADMIN&size=500&username=admin");
        List<String> details = new ArrayList<>();
        audit.json().get("content").forEach(r -> {
            if (r.get("path").asString().equals("/api/v1/retention-rules/" + id)) {
                details.add(r.get("detail").asString());
            }
        });
        assertThat(details).hasSize(3);
        assertThat(details).anyMatch(d -> d.startsWith("created retention rule " + id + " 'audited' (disabled): files older than 30 days "
                + "under /outbox/** of every user"));
        assertThat(details).anyMatch(d -> d.startsWith("replaced retention rule " + id) && d.contains("older than 60 days"));
        assertThat(details).anyMatch(d -> d.startsWith("deleted retention rule " + id));
    }

    @Test
    void twoReplicasRunningARoundAtOnceDeleteEachFileOnce() throws Exception {
        Users.create(admin, "shared", KEY, storage("local"));
        Map<String, Instant> files = new HashMap<>();
        for (int i = 0; i < 40; i++) {
            files.put("/drop/f" + i + ".txt", OLD);
        }
        upload("shared", files, "/drop");
        long id = createRule("{\"name\":\"drop\",\"path\":\"/drop/**\",\"username\":\"shared\",\"days\":30}");
        Users.create(admin, "idle", KEY, storage("local"));
        upload("idle", Map.of("/drop/old.txt", OLD), "/drop");
        long disabled = createRule("{\"name\":\"drop-disabled\",\"path\":\"/drop/**\",\"username\":\"idle\",\"days\":30,"
                + "\"enabled\":false}");

        // while another holds the cluster-wide lock, no replica runs a round, scheduled or asked for
        TestPostgres.Database db = ferry.database();
        try (Connection holder = DriverManager.getConnection(db.url(), db.username(), db.password());
                PreparedStatement lock = holder.prepareStatement("select pg_advisory_lock(?)")) {
            lock.setLong(1, RetentionLock.KEY);
            lock.execute();
            assertThat(ferry.bean(RetentionRounds.class).round()).isEmpty();
            assertThat(replica.bean(RetentionRounds.class).round()).isEmpty();
            assertProblem(admin.post("/api/v1/retention-rules/" + id + "/run", ""), 409, null);
        }
        assertThat(filesOf("shared")).hasSize(41);

        CyclicBarrier together = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Optional<List<RetentionReport>>>> rounds = new ArrayList<>();
            for (FerryInstance instance : List.of(ferry, replica)) {
                rounds.add(pool.submit(() -> {
                    together.await();
                    return instance.bean(RetentionRounds.class).round();
                }));
            }
            long deleted = 0;
            for (Future<Optional<List<RetentionReport>>> round : rounds) {
                deleted += round.get().orElse(List.of()).stream().filter(r -> r.ruleId() == id).mapToLong(RetentionReport::totalFiles).sum();
            }
            assertThat(deleted).isEqualTo(40);
        } finally {
            pool.shutdownNow();
        }
        assertThat(filesOf("shared")).containsExactly("/drop/");
        assertThat(filesOf("idle")).as("a disabled rule is not part of a round").contains("/drop/old.txt");
        admin.delete("/api/v1/retention-rules/" + disabled);
        List<JsonNode> records = deleteRecords("shared");
        assertThat(records).hasSize(40);
        assertThat(records).extracting(r -> r.get("path").asString()).doesNotHaveDuplicates();
        admin.delete("/api/v1/retention-rules/" + id);

        PrometheusScrape metrics = PrometheusScrape.of(admin);
        assertThat(metrics.value("ferry_retention_deleted_files_total") + PrometheusScrape.of(replica.admin())
                .value("ferry_retention_deleted_files_total")).isGreaterThanOrEqualTo(40);
        assertThat(metrics.has("ferry_retention_rounds_seconds_count")).isTrue();
        assertThat(metrics.has("ferry_retention_deleted_bytes_total")).isTrue();
    }

    static void assertProblem(AdminClient.Response response, int status, String field) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.header("Content-Type")).as(response.body()).startsWith("application/problem+json");
        assertThat(response.json().get("detail").asString()).as(response.body()).hasSizeGreaterThan(10).doesNotContain("Exception");
        if (field != null) {
            assertThat(response.json().get("field").asString()).as(response.body()).isEqualTo(field);
        }
    }
}
