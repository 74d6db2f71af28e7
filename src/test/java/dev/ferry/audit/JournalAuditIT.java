package dev.ferry.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.PrometheusScrape;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.Users;
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
                    assertThat(entry.event().status()).isEqualTo(AuditEvent.OK);
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

    @Test
    void aJournalDirectoryThatCannotBeUsedStopsTheStartWithAnActionableMessage() throws Exception {
        Path notADirectory = java.nio.file.Files.createTempFile("ferry-journal", ".txt");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> FerryInstance.start(ferry.database(), ferry.storageRoot(),
                        Map.of("sftp.audit.durability", "journal", "sftp.audit.journal-dir", notADirectory.toString())).close())
                .hasStackTraceContaining("Cannot open the audit journal in " + notADirectory)
                .hasStackTraceContaining("sftp.audit.durability=database");
    }
}
