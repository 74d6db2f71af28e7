package dev.ferry.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testsupport.FerryProcess;
import dev.ferry.testsupport.OpenSshClient;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.TestPostgres;
import dev.ferry.testsupport.Users;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * A confirmed upload's record survives the server being killed before the record reached
 * PostgreSQL: the real jar, killed with SIGKILL, restarted on the same journal.
 */
class AuditJournalCrashIT {

    private static final int FILES = 5;

    @TempDir
    Path work;

    @Test
    void recordsOfConfirmedUploadsSurviveAKilledServerAndReachPostgresOnceAtTheNextStart() throws Exception {
        TestPostgres.Database database = TestPostgres.get().newDatabase();
        // Shipping every hour: when the server dies, its records are in the journal and nowhere else.
        Map<String, String> settings = Map.of("sftp.audit.durability", "journal",
                "sftp.audit.journal-dir", work.resolve("journal").toString(), "sftp.audit.ship-interval", "1h");
        KeyPair key = TestKeys.ed25519();
        Path keyFile = TestKeys.writePrivateKey(key, work);
        Map<String, String> digests = new HashMap<>();
        Random random = new Random(7);
        for (int i = 0; i < FILES; i++) {
            byte[] data = new byte[10_000 + i];
            random.nextBytes(data);
            Files.write(work.resolve("f" + i + ".bin"), data);
            digests.put("/f" + i + ".bin", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)));
        }
        JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(database.url(), database.username(), database.password()));

        FerryProcess first = FerryProcess.start(work, database, settings, "first.log");
        Users.create(first.admin(), "partner", key, null);
        String[] puts = Stream.iterate(0, i -> i + 1).limit(FILES).map(i -> "put f" + i + ".bin").toArray(String[]::new);
        var run = new OpenSshClient(first.sftpPort(), "partner", keyFile).sftpBatch(work, puts);
        assertThat(run.exitCode()).as(run.output()).isZero();
        first.kill();

        assertThat(uploads(jdbc)).as("nothing had reached PostgreSQL when the server died").isEmpty();
        // The kill could also have cut a record in half: the start of one more, never confirmed.
        try (FileChannel segment = FileChannel.open(lastSegment(), StandardOpenOption.APPEND)) {
            segment.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 90, 1, 2, 3}));
        }

        try (FerryProcess second = FerryProcess.start(work, database, settings, "second.log")) {
            assertThat(uploads(jdbc)).as("shipped at start, before the server took connections").isEqualTo(digests);
            assertThat(second.output()).contains("shipping").contains("incomplete record");
            assertThat(second.admin().get("/api/v1/audit/verify").json().get("valid").asBoolean()).isTrue();
            assertThat(count(jdbc, "ADMIN")).as("the admin change that created the user").isEqualTo(1);
            assertThat(count(jdbc, "LOGIN")).isEqualTo(1);
            second.kill();
        }

        // Killed again after shipping: nothing is shipped twice.
        try (FerryProcess third = FerryProcess.start(work, database, settings, "third.log")) {
            assertThat(uploads(jdbc)).isEqualTo(digests);
            assertThat(count(jdbc, "UPLOAD")).isEqualTo(FILES);
            assertThat(count(jdbc, "LOGIN")).isEqualTo(1);
            assertThat(third.admin().get("/api/v1/audit/verify").json().get("valid").asBoolean()).isTrue();
            var session = new OpenSshClient(third.sftpPort(), "partner", keyFile).sftpBatch(work, "ls");
            assertThat(session.exitCode()).as(session.output()).isZero();
        }
        // Stopped the normal way (SIGTERM), it ships what it journaled before it exits.
        assertThat(count(jdbc, "LOGIN")).as("the last session's login, shipped at stop; log:%n%s",
                Files.readString(work.resolve("third.log"))).isEqualTo(2);
        // (The first session's LOGOUT may be lost: it was recorded, unconfirmed, as the server was killed.)
        String lastSession = jdbc.queryForObject("select session_id from audit_events where type = 'LOGIN' order by id desc limit 1",
                String.class);
        assertThat(jdbc.queryForObject("select count(*) from audit_events where type = 'LOGOUT' and session_id = ?", Integer.class,
                lastSession)).as("the last session's logout, shipped at stop").isEqualTo(1);
    }

    /** Path to sha256 of every successful upload record of the partner in PostgreSQL. */
    private static Map<String, String> uploads(JdbcTemplate jdbc) {
        Map<String, String> found = new HashMap<>();
        jdbc.query("select path, sha256 from audit_events where username = 'partner' and type = 'UPLOAD' and status = 'OK'",
                rs -> {
                    found.put(rs.getString(1), rs.getString(2));
                });
        return found;
    }

    private static int count(JdbcTemplate jdbc, String type) {
        return jdbc.queryForObject("select count(*) from audit_events where type = ?", Integer.class, type);
    }

    private Path lastSegment() throws Exception {
        try (Stream<Path> files = Files.list(work.resolve("journal"))) {
            List<Path> segments = files.filter(f -> f.getFileName().toString().startsWith("segment-")).sorted().toList();
            assertThat(segments).isNotEmpty();
            return segments.get(segments.size() - 1);
        }
    }
}
