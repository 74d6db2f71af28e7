package dev.ferry.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.ExternalCommand;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.OpenSshClient;
import dev.ferry.testsupport.PrometheusScrape;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.TestPostgres;
import dev.ferry.testsupport.Users;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.StreamSupport;
import org.apache.sshd.sftp.client.extensions.CheckFileNameExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/**
 * The audit trail as an auditor reads it, fed by real SFTP clients and the admin API: the same
 * tests for each place a record can be made durable before its action is confirmed
 * ({@code sftp.audit.durability}): {@link AuditIT} (PostgreSQL) and {@link JournalAuditIT}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AuditTrailContract {

    FerryInstance ferry;
    AdminClient admin;
    KeyPair key = TestKeys.ed25519();
    Path work;
    Path keyFile;

    /** Settings that choose where records are made durable. */
    abstract Map<String, String> durabilitySettings();

    /** Fails unless the record of this confirmed upload is already where it survives a crash. */
    abstract void assertUploadRecordIsDurable(String username, String path) throws Exception;

    @BeforeAll
    void start() throws Exception {
        ferry = FerryInstance.start(TestPostgres.get().newDatabase(), FerryInstance.tempDir("ferry-files"), durabilitySettings());
        admin = ferry.admin();
        work = Files.createTempDirectory("ferry-audit");
        keyFile = TestKeys.writePrivateKey(key, work);
    }

    @AfterAll
    void stop() {
        ferry.close();
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    List<JsonNode> events(String query) throws InterruptedException {
        var response = admin.get("/api/v1/audit?size=500&" + query);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return StreamSupport.stream(response.json().get("content").spliterator(), false).toList();
    }

    JsonNode awaitEvent(String username, String type, java.util.function.Predicate<JsonNode> match) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            for (JsonNode e : events("username=" + java.net.URLEncoder.encode(username, java.nio.charset.StandardCharsets.UTF_8)
                    + "&type=" + type)) {
                if (match.test(e)) {
                    return e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + type + " event of " + username + " in " + events("username=" + username));
            }
            Thread.sleep(100);
        }
    }

    @Test
    void everyEventTypeFromARealClientIsFoundWithItsFields() throws Exception {
        Users.create(admin, "auditee", key, "\"permissions\":{\"/\":[\"*\"],\"/ro\":[\"list\"]}");
        Files.createDirectories(ferry.homeOf("auditee").resolve("ro"));
        byte[] data = new byte[300_000];
        new Random(1).nextBytes(data);
        Files.write(work.resolve("payload.bin"), data);
        String sha = sha256(data);

        var cli = new OpenSshClient(ferry.sftpPort(), "auditee", keyFile);
        var run = cli.sftpBatch(work, "mkdir d", "put payload.bin", "rename payload.bin d/moved.bin", "get d/moved.bin back.bin",
                "chmod 600 d/moved.bin", "ln -s d/moved.bin link", "rm link", "-put payload.bin ro/denied.bin",
                "rm d/moved.bin", "rmdir d");
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(new OpenSshClient(ferry.sftpPort(), "auditee", TestKeys.writePrivateKey(TestKeys.ed25519(), work))
                .sftpBatch(work, "pwd").exitCode()).isNotZero();

        JsonNode login = awaitEvent("auditee", "LOGIN", e -> true);
        String sessionId = login.get("sessionId").asText();
        assertThat(sessionId).isNotBlank();
        assertThat(login.get("remoteAddress").asText()).isEqualTo("127.0.0.1");
        assertThat(login.get("keyFingerprint").asText()).startsWith("SHA256:");
        assertThat(login.get("clientVersion").asText()).contains("OpenSSH");
        assertThat(login.get("timestamp").asText()).endsWith("Z");

        JsonNode upload = awaitEvent("auditee", "UPLOAD", e -> e.get("path").asText().equals("/payload.bin"));
        assertThat(upload.get("bytes").asLong()).isEqualTo(data.length);
        assertThat(upload.get("sha256").asText()).isEqualTo(sha);
        assertThat(upload.get("status").asText()).isEqualTo("OK");
        assertThat(upload.get("sessionId").asText()).isEqualTo(sessionId);
        assertThat(upload.get("durationMs").asLong()).isNotNegative();

        JsonNode download = awaitEvent("auditee", "DOWNLOAD", e -> e.get("path").asText().equals("/d/moved.bin"));
        assertThat(download.get("bytes").asLong()).isEqualTo(data.length);
        assertThat(download.get("sha256").asText()).isEqualTo(sha);

        JsonNode rename = awaitEvent("auditee", "RENAME", e -> e.get("path").asText().equals("/payload.bin"));
        assertThat(rename.get("targetPath").asText()).isEqualTo("/d/moved.bin");
        awaitEvent("auditee", "MKDIR", e -> e.get("path").asText().equals("/d"));
        awaitEvent("auditee", "SETSTAT", e -> e.get("path").asText().equals("/d/moved.bin"));
        awaitEvent("auditee", "SYMLINK", e -> e.get("path").asText().equals("/link"));
        awaitEvent("auditee", "DELETE", e -> e.get("path").asText().equals("/d/moved.bin"));
        awaitEvent("auditee", "RMDIR", e -> e.get("path").asText().equals("/d"));
        JsonNode denied = awaitEvent("auditee", "DENIED", e -> e.get("path").asText().equals("/ro/denied.bin"));
        assertThat(denied.get("detail").asText()).contains("'upload'");
        JsonNode logout = awaitEvent("auditee", "LOGOUT", e -> e.get("sessionId").asText().equals(sessionId));
        assertThat(logout.get("bytes").asLong()).isGreaterThanOrEqualTo(2L * data.length);
        JsonNode failed = awaitEvent("auditee", "LOGIN_FAILED", e -> true);
        assertThat(failed.get("detail").asText()).contains("authentication failed");
        JsonNode created = awaitEvent("admin", "ADMIN", e -> e.get("path").asText().equals("/api/v1/users/auditee"));
        assertThat(created.get("detail").asText()).contains("created user auditee");
    }

    @Test
    void theUploadRecordIsDurableBeforeTheCloseIsConfirmed() throws Exception {
        Users.create(admin, "durable", key, null);
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "durable", key)) {
            for (int i = 0; i < 20; i++) {
                client.put("/f" + i, ("content " + i).getBytes());
                // No waiting: a crash right now must not lose the record of the confirmed upload.
                assertUploadRecordIsDurable("durable", "/f" + i);
            }
        }
    }

    @Test
    void concurrentSessionsShareBatchesAndEveryConfirmedUploadHasItsRecordInTheChain() throws Exception {
        int sessions = 6;
        int files = 15;
        for (int s = 0; s < sessions; s++) {
            Users.create(admin, "group" + s, key, null);
        }
        JdbcTemplate jdbc = ferry.bean(JdbcTemplate.class);
        long before = jdbc.queryForObject("select coalesce(max(id), 0) from audit_events", Long.class);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(sessions);
        try {
            List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int s = 0; s < sessions; s++) {
                String user = "group" + s;
                done.add(pool.submit(() -> {
                    try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), user, key)) {
                        for (int i = 0; i < files; i++) {
                            client.put("/f" + i, (user + " " + i).getBytes());
                            // Confirmed: the record is durable, whichever session's CLOSE wrote the batch.
                            assertUploadRecordIsDurable(user, "/f" + i);
                        }
                    }
                    return null;
                }));
            }
            for (var f : done) {
                f.get(120, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        // One unbroken chain over everything written meanwhile, in id order.
        ferry.bean(AuditLog.class).flush();
        assertOneChainAfter(jdbc, before, sessions * files);
    }

    /**
     * Clients that vanish right after sending an upload's CLOSE: the server closes their sessions
     * (and MINA interrupts the SFTP thread) while it handles the CLOSE and writes the record. An
     * interrupted thread once closed the audit journal for good. Every session's login and logout
     * is recorded, and later uploads, deletes and logins are confirmed and audited.
     */
    @Test
    void sessionsThatVanishRightAfterTheirCloseLoseNoRecordAndStopNothing() throws Exception {
        Users.create(admin, "vanish", key, null);
        int sessions = 40;
        ExternalCommand.Result run = ExternalCommand.run(work, List.of("/usr/bin/python3", client("paramiko_vanish.py"),
                String.valueOf(ferry.sftpPort()), "vanish", keyFile.toString(), String.valueOf(sessions)), "");
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertLaterActionsAreConfirmedAndAudited("vanish");
        awaitCount("vanish", "LOGIN", sessions + 1);
        awaitCount("vanish", "LOGOUT", sessions + 1);
        // Each upload whose OPEN the server saw before the connection dropped has its record, stored or not.
        for (JsonNode upload : events("username=vanish&type=UPLOAD")) {
            assertThat(upload.get("status").asText()).isIn("OK", "FAILED");
        }
    }

    /**
     * A NUL in a username, which any client can send before it authenticates: PostgreSQL refuses
     * it in a record, and the audit once stalled behind it for good. The login is refused and
     * audited with the NUL escaped; the next logins and uploads are confirmed and audited.
     */
    @Test
    void aLoginWithANulInTheUsernameIsRefusedAuditedEscapedAndStopsNothing() throws Exception {
        ExternalCommand.Result paramiko = ExternalCommand.run(work, List.of("/usr/bin/python3", client("paramiko_nul_username.py"),
                String.valueOf(ferry.sftpPort())), "");
        assertThat(paramiko.output()).as(paramiko.output()).contains("refused");
        assertThatThrownBy(() -> SftpTestClient.withPassword(ferry.sftpPort(), "mina\0user",
                "any password").close()).isInstanceOf(java.io.IOException.class);
        Users.create(admin, "afternul", key, null);
        assertLaterActionsAreConfirmedAndAudited("afternul");
        JsonNode refused = awaitEvent("nul\\u0000user", "LOGIN_FAILED", e -> true);
        assertThat(refused.get("detail").asText()).contains("control characters");
        awaitEvent("mina\\u0000user", "LOGIN_FAILED", e -> true);
    }

    /**
     * Control characters in paths (a line break, a NUL) are recorded escaped, so they can neither
     * stop the audit nor forge a line of it; the chain stays intact.
     */
    @Test
    void controlCharactersInPathsAreRecordedEscaped() throws Exception {
        Users.create(admin, "ctlpaths", key, null);
        JdbcTemplate jdbc = ferry.bean(JdbcTemplate.class);
        ferry.bean(AuditLog.class).flush();
        long before = jdbc.queryForObject("select coalesce(max(id), 0) from audit_events", Long.class);
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "ctlpaths", key)) {
            client.put("/line\nbreak.txt", "two lines".getBytes());
            assertThatThrownBy(() -> client.sftp().mkdir("/nul\0dir")).isInstanceOf(java.io.IOException.class);
            client.sftp().remove("/line\nbreak.txt");
        }
        JsonNode upload = awaitEvent("ctlpaths", "UPLOAD", e -> e.get("path").asText().equals("/line\\u000abreak.txt"));
        assertThat(upload.get("status").asText()).isEqualTo("OK");
        awaitEvent("ctlpaths", "DELETE", e -> e.get("path").asText().equals("/line\\u000abreak.txt"));
        assertLaterActionsAreConfirmedAndAudited("ctlpaths");
        ferry.bean(AuditLog.class).flush();
        assertOneChainAfter(jdbc, before, 4);
        assertThat(jdbc.queryForObject("select count(*) from audit_events where id > ? and (path like '%' || chr(10) || '%' "
                + "or username like '%' || chr(10) || '%')", Integer.class, before)).isZero();
    }

    /**
     * A record PostgreSQL refuses (here a time beyond its range; before, a NUL) must not take the
     * records written with it: they are written, it is set aside in audit_quarantine, counted and
     * said once, and the chain goes on without it.
     */
    @Test
    void aRecordPostgresRefusesIsSetAsideAndTheOthersOfItsBatchAreWritten() throws Exception {
        AuditLog log = ferry.bean(AuditLog.class);
        JdbcTemplate jdbc = ferry.bean(JdbcTemplate.class);
        log.flush();
        long before = jdbc.queryForObject("select coalesce(max(id), 0) from audit_events", Long.class);
        long quarantinedBefore = jdbc.queryForObject("select count(*) from audit_quarantine", Long.class);
        List<java.util.concurrent.CompletableFuture<Void>> written = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            AuditEvent event = AuditEvent.of(AuditType.MKDIR).withUser("refusal", "127.0.0.1", "r" + i).withPaths("/d" + i, null);
            if (i == 4) {
                event = new AuditEvent(java.time.Instant.parse("+300000-01-01T00:00:00Z"), AuditType.MKDIR, "refusal", "127.0.0.1",
                        "r4", "/d4", null, null, null, null, null, null, null, null, null, null);
            }
            written.add(log.append(event));
        }
        log.flush();
        for (int i = 0; i < 10; i++) {
            int n = i;
            if (i == 4) {
                assertThatThrownBy(() -> written.get(n).get(30, java.util.concurrent.TimeUnit.SECONDS))
                        .hasMessageContaining("refused");
            } else {
                written.get(i).get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
        assertThat(jdbc.queryForList("select session_id from audit_events where id > ? and username = 'refusal' order by id",
                String.class, before)).containsExactly("r0", "r1", "r2", "r3", "r5", "r6", "r7", "r8", "r9");
        List<Map<String, Object>> set = jdbc.queryForList("select error, record from audit_quarantine order by id desc limit 1");
        assertThat(jdbc.queryForObject("select count(*) from audit_quarantine", Long.class)).isEqualTo(quarantinedBefore + 1);
        assertThat((String) set.get(0).get("error")).startsWith("22");
        assertThat((String) set.get(0).get("record")).contains("sessionId=r4");
        assertThat(PrometheusScrape.of(admin).value("ferry_audit_quarantined_records_total")).isGreaterThanOrEqualTo(1);
        assertOneChainAfter(jdbc, before, 9);
        // And the trail goes on.
        Users.create(admin, "afterrefusal", key, null);
        assertLaterActionsAreConfirmedAndAudited("afterrefusal");
    }

    /** An upload, a delete and a login by the user, through OpenSSH, each confirmed and found in the audit. */
    void assertLaterActionsAreConfirmedAndAudited(String user) throws Exception {
        String name = "later-" + System.nanoTime() + ".txt";
        Files.writeString(work.resolve(name), "uploaded later");
        ExternalCommand.Result run = new OpenSshClient(ferry.sftpPort(), user, keyFile).sftpBatch(work, "put " + name, "rm " + name);
        assertThat(run.exitCode()).as(run.output()).isZero();
        JsonNode upload = awaitEvent(user, "UPLOAD", e -> e.get("path").asText().equals("/" + name));
        assertThat(upload.get("status").asText()).isEqualTo("OK");
        String session = upload.get("sessionId").asText();
        awaitEvent(user, "DELETE", e -> e.get("path").asText().equals("/" + name));
        awaitEvent(user, "LOGIN", e -> e.get("sessionId").asText().equals(session));
        awaitEvent(user, "LOGOUT", e -> e.get("sessionId").asText().equals(session));
    }

    void awaitCount(String user, String type, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (events("username=" + user + "&type=" + type).size() != count) {
            if (System.nanoTime() > deadline) {
                assertThat(events("username=" + user + "&type=" + type)).as(type + " records of " + user).hasSize(count);
            }
            Thread.sleep(100);
        }
    }

    static String client(String script) {
        return Path.of("src/test/resources/clients", script).toAbsolutePath().toString();
    }

    /** The records after id {@code before}, at least {@code atLeast} of them, each chained to the one before it in id order. */
    static void assertOneChainAfter(JdbcTemplate jdbc, long before, int atLeast) {
        List<Map<String, Object>> rows = jdbc.queryForList("select prev_hash, hash from audit_events where id > ? order by id", before);
        assertThat(rows.size()).isGreaterThanOrEqualTo(atLeast);
        for (int i = 1; i < rows.size(); i++) {
            assertThat(rows.get(i).get("prev_hash")).as("record %d of %d", i, rows.size()).isEqualTo(rows.get(i - 1).get("hash"));
        }
    }

    /**
     * The table, the API (and the OpenAPI description the admin UI's types are generated from) and
     * the export each have every field of {@link AuditEvent}, the one definition of the record: a
     * field added there and missed anywhere fails here.
     */
    @Test
    void theTableTheApiAndTheExportHaveEveryFieldOfTheRecord() throws Exception {
        List<String> fields = AuditFields.EVENT.all().stream().map(AuditFields.Field::name).toList();
        Map<String, Integer> columns = new java.util.HashMap<>();
        ferry.bean(JdbcTemplate.class).query("select column_name, character_maximum_length from information_schema.columns "
                + "where table_name = 'audit_events'", (java.sql.ResultSet rs) -> {
                    columns.put(rs.getString(1), (Integer) rs.getObject(2));
                });
        for (AuditFields.Field f : AuditFields.EVENT.all()) {
            assertThat(columns).as("column of " + f.name()).containsKey(f.column());
            if (f.kind() == AuditFields.Kind.TEXT) {
                assertThat(columns.get(f.column())).as("size of " + f.column()).isEqualTo(f.size());
            }
        }

        Users.create(admin, "fields", key, null);
        JsonNode record = awaitEvent("admin", "ADMIN", e -> e.get("path").asText().equals("/api/v1/users/fields"));
        List<String> expected = new java.util.ArrayList<>(List.of("id"));
        expected.addAll(fields);
        assertThat(names(record)).containsExactlyElementsOf(expected);
        JsonNode schema = admin.get("/v3/api-docs").json().at("/components/schemas/AuditRecord/properties");
        assertThat(names(schema)).as(schema.toString()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(schema.at("/status/enum").toString()).isEqualTo("[\"OK\",\"FAILED\",\"DENIED\"]");

        String csv = admin.send("GET", "/api/v1/audit?username=admin&path=/api/v1/users/fields", null, "text/csv").body();
        List<String> header = List.of(csv.substring(0, csv.indexOf("\r\n")).split(","));
        assertThat(header).containsExactlyInAnyOrderElementsOf(expected).startsWith("timestamp", "type", "username", "path").endsWith("id");
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new java.util.ArrayList<>();
        object.properties().forEach(e -> names.add(e.getKey()));
        return names;
    }

    @Test
    void checkFileAnswersTheStoredSha256() throws Exception {
        Users.create(admin, "checker", key, null);
        byte[] data = "checksum me".getBytes();
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "checker", key)) {
            client.put("/c.txt", data);
            CheckFileNameExtension check = client.sftp().getExtension(CheckFileNameExtension.class);
            assertThat(check.isSupported()).isTrue();
            Map.Entry<String, java.util.Collection<byte[]>> answer = check.checkFileName("/c.txt", List.of("sha256"), 0, 0, 0);
            assertThat(answer.getKey()).isEqualTo("sha256");
            assertThat(HexFormat.of().formatHex(answer.getValue().iterator().next())).isEqualTo(sha256(data));
            // After a rename the digest follows the file.
            client.sftp().rename("/c.txt", "/renamed.txt");
            Thread.sleep(500);
            answer = check.checkFileName("/renamed.txt", List.of("sha256"), 0, 0, 0);
            assertThat(HexFormat.of().formatHex(answer.getValue().iterator().next())).isEqualTo(sha256(data));
            // A file placed on disk behind the server's back has no stored digest: computed from its bytes.
            Files.writeString(ferry.homeOf("checker").resolve("foreign.txt"), "not uploaded");
            answer = check.checkFileName("/foreign.txt", List.of("sha256"), 0, 0, 0);
            assertThat(HexFormat.of().formatHex(answer.getValue().iterator().next())).isEqualTo(sha256("not uploaded".getBytes()));
        }
    }

    @Test
    void alteredAndRemovedRecordsAreDetectedByTheChainCheck() throws Exception {
        Users.create(admin, "tamper", key, null);
        for (int i = 0; i < 3; i++) {
            try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "tamper", key)) {
                client.sftp().canonicalPath(".");
            }
        }
        awaitEvent("tamper", "LOGOUT", e -> true);
        Thread.sleep(500);
        assertThat(admin.get("/api/v1/audit/verify").json().get("valid").asBoolean()).isTrue();

        JdbcTemplate jdbc = ferry.bean(JdbcTemplate.class);
        long altered = jdbc.queryForObject("select min(id) from audit_events where username = 'tamper' and type = 'LOGIN'", Long.class);
        jdbc.update("update audit_events set remote_address = '198.51.100.66' where id = ?", altered);
        JsonNode verdict = admin.get("/api/v1/audit/verify").json();
        assertThat(verdict.get("valid").asBoolean()).isFalse();
        assertThat(verdict.get("firstInvalidId").asLong()).isEqualTo(altered);
        jdbc.update("update audit_events set remote_address = '127.0.0.1' where id = ?", altered);
        assertThat(admin.get("/api/v1/audit/verify").json().get("valid").asBoolean()).isTrue();

        long removed = jdbc.queryForObject("select max(id) from audit_events where username = 'tamper' and type = 'LOGIN'", Long.class);
        long next = jdbc.queryForObject("select min(id) from audit_events where id > ?", Long.class, removed);
        jdbc.update("delete from audit_events where id = ?", removed);
        verdict = admin.get("/api/v1/audit/verify").json();
        assertThat(verdict.get("valid").asBoolean()).isFalse();
        assertThat(verdict.get("firstInvalidId").asLong()).isEqualTo(next);
    }

    @Test
    void searchFiltersPagesAndExportsCsvSafelyForSpreadsheets() throws Exception {
        Users.create(admin, "csvuser", key, null);
        var cli = new OpenSshClient(ferry.sftpPort(), "csvuser", keyFile);
        Files.writeString(work.resolve("x.txt"), "x");
        var run = cli.sftpBatch(work, "put x.txt", "ln -s =1+1 formula");
        assertThat(run.exitCode()).as(run.output()).isZero();
        awaitEvent("csvuser", "SYMLINK", e -> true);

        var page = admin.get("/api/v1/audit?username=csvuser&size=2&page=0").json();
        assertThat(page.get("size").asInt()).isEqualTo(2);
        assertThat(page.get("content").size()).isEqualTo(2);
        assertThat(page.get("totalElements").asLong()).isGreaterThanOrEqualTo(3);
        String newest = page.get("content").get(0).get("timestamp").asText();
        String older = page.get("content").get(1).get("timestamp").asText();
        assertThat(newest.compareTo(older)).isGreaterThanOrEqualTo(0);

        var csv = admin.send("GET", "/api/v1/audit?username=csvuser&type=SYMLINK", null, "text/csv");
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.body()).startsWith("timestamp,type,username,path");
        assertThat(csv.body()).contains("'=1+1").doesNotContain(",=1+1");

        String from = page.get("content").get(0).get("timestamp").asText();
        assertThat(events("username=csvuser&from=" + from).size()).isGreaterThanOrEqualTo(1);
        assertThat(events("username=csvuser&to=" + "2000-01-01T00:00:00Z")).isEmpty();
        assertThat(admin.get("/api/v1/audit?type=NOPE").status()).isEqualTo(400);
        assertThat(admin.get("/api/v1/audit?from=yesterday").status()).isEqualTo(400);
        assertThat(admin.get("/api/v1/audit?size=501").status()).isEqualTo(400);
    }
}
