package dev.ferry.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testsupport.ExternalCommand;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.PrometheusScrape;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.Users;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/**
 * The audit trail with every confirmed action's record fsync'd in the instance's local journal
 * first and shipped to PostgreSQL later. The ship interval is an hour here, so records reach
 * PostgreSQL only because a read (search, verify, check-file) asks for them: the tests see the
 * journal at work, not a fast background thread.
 */
class JournalAuditIT extends AuditTrailContract {

    private final Path journal = FerryInstance.tempDir("ferry-journal");

    @Override
    Map<String, String> durabilitySettings() {
        return Map.of("sftp.audit.durability", "journal", "sftp.audit.journal-dir", journal.toString(),
                "sftp.audit.ship-interval", "1h");
    }

    @Override
    void assertUploadRecordIsDurable(String username, String path) throws Exception {
        // Read from the file as a restarted server would, with the server still holding it open.
        assertThat(AuditJournal.read(journal)).as("record of " + username + " " + path + " in the journal")
                .anySatisfy(entry -> {
                    assertThat(entry.event().type()).isEqualTo(AuditType.UPLOAD);
                    assertThat(entry.event().username()).isEqualTo(username);
                    assertThat(entry.event().path()).isEqualTo(path);
                    assertThat(entry.event().status()).isEqualTo(AuditStatus.OK);
                    assertThat(entry.event().sha256()).hasSize(64);
                });
    }

    @Test
    void twoInstancesWithJournalsOfTheirOwnShipIntoOneChain() throws Exception {
        // A replica on the same database and storage, shipping every few milliseconds while this one
        // ships on reads: both extend the chain at once and must take turns.
        Path otherJournal = FerryInstance.tempDir("ferry-journal-2");
        try (FerryInstance replica = FerryInstance.start(ferry.database(), ferry.storageRoot(), Map.of("sftp.audit.durability",
                "journal", "sftp.audit.journal-dir", otherJournal.toString(), "sftp.audit.ship-interval", "5ms"))) {
            int files = 20;
            JdbcTemplate jdbc = ferry.bean(JdbcTemplate.class);
            ferry.bean(AuditLog.class).flush();
            long before = jdbc.queryForObject("select coalesce(max(id), 0) from audit_events", Long.class);
            List<FerryInstance> instances = List.of(ferry, replica);
            for (int i = 0; i < instances.size(); i++) {
                Users.create(admin, "replica" + i, key, null);
            }
            ExecutorService pool = Executors.newFixedThreadPool(instances.size() * 2);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int i = 0; i < instances.size(); i++) {
                    FerryInstance instance = instances.get(i);
                    String user = "replica" + i;
                    done.add(pool.submit(() -> {
                        try (SftpTestClient client = SftpTestClient.withKey(instance.sftpPort(), user, key)) {
                            for (int f = 0; f < files; f++) {
                                client.put("/f" + f, (user + " " + f).getBytes());
                            }
                        }
                        return null;
                    }));
                    // Reads through this instance flush its journal while the other ships on its own.
                    done.add(pool.submit(() -> {
                        for (int r = 0; r < 10; r++) {
                            assertThat(instance.admin().get("/api/v1/audit?size=1").status()).isEqualTo(200);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(120, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            replica.bean(AuditLog.class).flush();
            ferry.bean(AuditLog.class).flush();
            for (int i = 0; i < instances.size(); i++) {
                assertThat(jdbc.queryForObject("select count(*) from audit_events where type = 'UPLOAD' and username = ?",
                        Integer.class, "replica" + i)).as("uploads of replica" + i).isEqualTo(files);
            }
            // One unbroken chain over everything both wrote meanwhile, in id order (another test of this
            // class may have broken the chain before on purpose).
            assertOneChainAfter(jdbc, before, 2 * files);
        }
    }

    @Test
    void recordsWaitingForPostgresAreShownInTheMetricsUntilTheyAreShipped() throws Exception {
        Users.create(admin, "pending", key, null);
        admin.get("/api/v1/audit?size=1"); // ships what earlier tests left, so what follows is this test's
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "pending", key)) {
            client.put("/p", "pending".getBytes());
        }
        // Confirmed, journaled, and with an hour's ship interval still waiting: the login, the upload, the logout.
        assertThat(pendingRecords()).isGreaterThanOrEqualTo(2);
        assertThat(admin.get("/api/v1/audit?username=pending&type=UPLOAD").json().get("totalElements").asLong()).isEqualTo(1);
        assertThat(pendingRecords()).as("a read ships them").isZero();
    }

    private double pendingRecords() {
        PrometheusScrape scrape = PrometheusScrape.of(admin);
        assertThat(scrape.has("ferry_audit_pending_records")).as(scrape.text()).isTrue();
        return scrape.value("ferry_audit_pending_records");
    }

    /**
     * Issue #14's report: a 3 MiB upload with paramiko, then OpenSSH's sftp overwriting it with
     * 100 MiB at 1 MB/s, killed with SIGKILL in the middle. The killed session's records are
     * there, and every later upload, delete and login is confirmed and audited.
     */
    @Test
    void aClientKilledMidOverwriteLeavesEveryLaterActionAudited() throws Exception {
        Users.create(admin, "killed", key, null);
        Path small = work.resolve("three-mib.bin");
        Path big = work.resolve("hundred-mib.bin");
        writeRandom(small, 3L << 20);
        writeRandom(big, 100L << 20);
        try {
            ExternalCommand.Result paramiko = ExternalCommand.run(work, List.of("/usr/bin/python3", "-c", PARAMIKO_PUT,
                    String.valueOf(ferry.sftpPort()), "killed", keyFile.toString(), small.toString(), "/same.bin"), "");
            assertThat(paramiko.exitCode()).as(paramiko.output()).isZero();
            Process sftp = new ProcessBuilder("sftp", "-b", "-", "-l", "8000", "-P", String.valueOf(ferry.sftpPort()), "-F", "/dev/null",
                    "-i", keyFile.toString(), "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                    "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR", "killed@127.0.0.1")
                    .redirectErrorStream(true).redirectOutput(work.resolve("killed-sftp.log").toFile()).start();
            try (var stdin = sftp.getOutputStream()) {
                stdin.write(("put " + big + " same.bin\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            awaitStagedBytes(1L << 20);
            List<ProcessHandle> ssh = sftp.descendants().toList();
            sftp.destroyForcibly(); // kill -9 of the client; its ssh then drops the channel without a CLOSE
            assertThat(sftp.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            for (ProcessHandle child : ssh) {
                child.onExit().get(20, java.util.concurrent.TimeUnit.SECONDS);
            }
            JsonNode failed = awaitEvent("killed", "UPLOAD", e -> e.get("status").asText().equals("FAILED"));
            assertThat(failed.get("path").asText()).isEqualTo("/same.bin");
            awaitEvent("killed", "LOGOUT", e -> e.get("sessionId").asText().equals(failed.get("sessionId").asText()));
            assertLaterActionsAreConfirmedAndAudited("killed");
            assertThat(Files.size(ferry.homeOf("killed").resolve("same.bin"))).as("the old content stays").isEqualTo(3L << 20);
        } finally {
            Files.deleteIfExists(big);
        }
    }

    private static final String PARAMIKO_PUT = "import paramiko, sys\n"
            + "t = paramiko.Transport(('127.0.0.1', int(sys.argv[1])))\n"
            + "t.connect(username=sys.argv[2], pkey=paramiko.Ed25519Key.from_private_key_file(sys.argv[3]))\n"
            + "paramiko.SFTPClient.from_transport(t).put(sys.argv[4], sys.argv[5])\n"
            + "t.close()\n";

    private static void writeRandom(Path file, long size) throws java.io.IOException {
        java.util.SplittableRandom random = new java.util.SplittableRandom(size);
        byte[] chunk = new byte[1 << 20];
        try (var out = Files.newOutputStream(file)) {
            for (long written = 0; written < size; written += chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk, 0, (int) Math.min(chunk.length, size - written));
            }
        }
    }

    /** Waits until an upload's staged file holds {@code bytes}: the transfer is under way. */
    private void awaitStagedBytes(long bytes) throws Exception {
        Path staging = ferry.storageRoot().resolve(".ferry-staging");
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(staging)) {
                try (var files = Files.list(staging)) {
                    for (Path staged : files.toList()) {
                        try {
                            if (Files.size(staged) >= bytes) {
                                return;
                            }
                        } catch (java.nio.file.NoSuchFileException gone) {
                            // published or discarded meanwhile
                        }
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no upload was staged within 60 s: " + Files.readString(work.resolve("killed-sftp.log")));
    }

    /**
     * A record in the journal that PostgreSQL refuses (here a NUL, as journaled before control
     * characters were escaped) once made every start fail with "could not ship the audit journal".
     * It is set aside at start, the records around it are shipped, and a second start ships nothing twice.
     */
    @Test
    void aJournalRecordPostgresRefusesIsSetAsideAtStartAndTheServerStarts() throws Exception {
        Path poisoned = FerryInstance.tempDir("ferry-journal-poisoned");
        try (AuditJournal journal = AuditJournal.open(poisoned)) {
            journal.sync(journal.append(AuditEvent.of(AuditType.MKDIR).withUser("poison", "127.0.0.1", "before").withPaths("/a", null)));
            journal.sync(journal.append(AuditEvent.of(AuditType.LOGIN_FAILED).withUser("nul\0user", "127.0.0.1", null)
                    .withOutcome(AuditStatus.FAILED, "authentication failed")));
            journal.sync(journal.append(AuditEvent.of(AuditType.MKDIR).withUser("poison", "127.0.0.1", "after").withPaths("/b", null)));
        }
        var database = dev.ferry.testsupport.TestPostgres.get().newDatabase();
        Path files = FerryInstance.tempDir("ferry-files");
        Map<String, String> settings = Map.of("sftp.audit.durability", "journal", "sftp.audit.journal-dir", poisoned.toString(),
                "sftp.audit.ship-interval", "1h");
        for (int start = 1; start <= 2; start++) {
            try (FerryInstance server = FerryInstance.start(database, files, settings)) {
                JdbcTemplate jdbc = server.bean(JdbcTemplate.class);
                assertThat(jdbc.queryForList("select session_id from audit_events where username = 'poison' order by id", String.class))
                        .as("start %d", start).containsExactly("before", "after");
                List<Map<String, Object>> set = jdbc.queryForList("select journal_seq, error, record from audit_quarantine");
                assertThat(set).as("start %d", start).hasSize(1);
                assertThat(set.get(0).get("journal_seq")).isEqualTo(2L);
                assertThat((String) set.get(0).get("error")).startsWith("22");
                assertThat((String) set.get(0).get("record")).contains("nul\\u0000user");
                assertThat(PrometheusScrape.of(server.admin()).value("ferry_audit_quarantined_records_total"))
                        .isEqualTo(start == 1 ? 1 : 0);
                assertThat(server.admin().get("/api/v1/audit/verify").json().get("valid").asBoolean()).isTrue();
            }
        }
    }

    @Test
    void aJournalDirectoryThatCannotBeUsedStopsTheStartWithAnActionableMessage() throws Exception {
        Path notADirectory = java.nio.file.Files.createTempFile("ferry-journal", ".txt");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> FerryInstance.start(ferry.database(), ferry.storageRoot(),
                        Map.of("sftp.audit.durability", "journal", "sftp.audit.journal-dir", notADirectory.toString())).close())
                .hasStackTraceContaining("Cannot open the audit journal in " + notADirectory)
                .hasStackTraceContaining("sftp.audit.durability=database");
    }
}
