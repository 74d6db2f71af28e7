package dev.ferry.system;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.ExternalCommand;
import dev.ferry.testsupport.FerryProcess;
import dev.ferry.testsupport.FreePorts;
import dev.ferry.testsupport.HostKeyScan;
import dev.ferry.testsupport.OpenSshClient;
import dev.ferry.testsupport.TestKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar started the way the README says, {@code java -jar target/ferry.jar}, with no
 * configuration but its ports: embedded PostgreSQL and files under {@code ./data}, a generated
 * admin password logged once, and a host key, users and password that survive a restart.
 */
class ZeroConfigStartIT {

    private static final Pattern GENERATED_PASSWORD = Pattern.compile("generated password: (\\S+)");

    @TempDir
    Path workDir;
    @TempDir
    Path clientDir;

    private int sftpPort;
    private int httpPort;
    private FerryProcess server;

    @BeforeEach
    void ports() {
        sftpPort = FreePorts.next();
        httpPort = FreePorts.next();
    }

    @AfterEach
    void stopEverything() throws Exception {
        if (server != null) {
            server.stop();
        }
        // A PostgreSQL left behind by a server that did not stop cleanly is not the JVM's child any more.
        postmaster().ifPresent(pg -> {
            pg.destroy();
            pg.onExit().orTimeout(20, TimeUnit.SECONDS).exceptionally(e -> {
                pg.destroyForcibly();
                return pg;
            }).join();
        });
    }

    @Test
    void startsWithNoConfigurationAndKeepsItsStateAcrossARestart() throws Exception {
        server = FerryProcess.startUnconfigured(workDir, sftpPort, httpPort, "first.log");

        assertThat(workDir.resolve("data/pg")).isDirectory();
        assertThat(workDir.resolve("data/pg/PG_VERSION")).isRegularFile();
        assertEmbeddedDatabaseIsDurable();
        assertThat(workDir.resolve("data/files")).isDirectory();

        String firstLog = server.output();
        Matcher generated = GENERATED_PASSWORD.matcher(firstLog);
        assertThat(generated.find()).as("log prints the generated password:%n%s", firstLog).isTrue();
        String password = generated.group(1);
        assertThat(generated.find()).as("the password is printed only once").isFalse();
        assertThat(firstLog.split(Pattern.quote(password), -1)).as("the password appears once in the log").hasSize(2);

        AdminClient admin = new AdminClient(server.apiBase(), "admin", password);
        assertThat(admin.get("/api/v1/users").status()).isEqualTo(200);
        assertThat(admin.as("admin", password + "x").get("/api/v1/users").status()).isEqualTo(401);

        KeyPair key = TestKeys.ed25519();
        Path keyFile = TestKeys.writePrivateKey(key, clientDir);
        var created = admin.post("/api/v1/users", "{\"username\":\"zero\",\"publicKeys\":["
                + AdminClient.quote(TestKeys.publicLine(key)) + "]}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        OpenSshClient sftp = new OpenSshClient(sftpPort, "zero", keyFile);
        Files.writeString(clientDir.resolve("hello.txt"), "kept across restarts");
        ExternalCommand.Result upload = sftp.sftpBatch(clientDir, "put hello.txt", "pwd");
        assertThat(upload.exitCode()).as(upload.output()).isZero();
        assertThat(upload.output()).contains("Remote working directory: /");
        assertThat(workDir.resolve("data/files/zero/hello.txt")).hasContent("kept across restarts");
        // With the embedded database the audit journal is the durability point of the upload's record.
        assertThat(server.output()).contains("fsync'd in the journal");
        assertThat(workDir.resolve("data/audit-journal/journal-id")).isRegularFile();
        var uploads = admin.get("/api/v1/audit?username=zero&type=UPLOAD").json();
        assertThat(uploads.get("totalElements").asLong()).as(uploads.toString()).isEqualTo(1);
        assertThat(uploads.get("content").get(0).get("sha256").asText()).hasSize(64);
        String fingerprint = HostKeyScan.fingerprint(sftpPort, "ed25519");

        server.stop();
        assertThat(postmaster()).as("embedded PostgreSQL stopped with the server").isEmpty();

        server = FerryProcess.startUnconfigured(workDir, sftpPort, httpPort, "second.log");

        String secondLog = server.output();
        assertThat(secondLog).doesNotContain("generated password").doesNotContain(password);
        var user = admin.get("/api/v1/users/zero");
        assertThat(user.status()).as(user.body()).isEqualTo(200);
        ExternalCommand.Result again = sftp.sftpBatch(clientDir, "get hello.txt back.txt");
        assertThat(again.exitCode()).as(again.output()).isZero();
        assertThat(clientDir.resolve("back.txt")).hasContent("kept across restarts");
        assertThat(HostKeyScan.fingerprint(sftpPort, "ed25519")).as("host key after restart").isEqualTo(fingerprint);
    }

    // ------------------------------------------------------------------------------------------

    /**
     * The embedded library starts PostgreSQL for tests (fsync and synchronous commit off); Ferry's
     * accounts and audit must survive a power cut, so both are on.
     */
    private void assertEmbeddedDatabaseIsDurable() throws Exception {
        List<String> pid = Files.readAllLines(workDir.resolve("data/pg/postmaster.pid"));
        String url = "jdbc:postgresql://127.0.0.1:" + pid.get(3).trim() + "/postgres";
        try (var connection = java.sql.DriverManager.getConnection(url, "postgres", "");
                var statement = connection.createStatement()) {
            for (String setting : List.of("fsync", "synchronous_commit", "full_page_writes")) {
                try (var result = statement.executeQuery("show " + setting)) {
                    result.next();
                    assertThat(result.getString(1)).as(setting).isEqualTo("on");
                }
            }
        }
    }

    /** The embedded PostgreSQL still running on this working directory, if any. */
    private Optional<ProcessHandle> postmaster() {
        Path pidFile = workDir.resolve("data/pg/postmaster.pid");
        try {
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            String first = Files.readAllLines(pidFile).stream().findFirst().orElse("").trim();
            return first.isEmpty() ? Optional.empty() : ProcessHandle.of(Long.parseLong(first)).filter(ProcessHandle::isAlive);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
