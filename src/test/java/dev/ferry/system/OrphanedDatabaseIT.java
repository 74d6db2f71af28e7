package dev.ferry.system;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.ExternalCommand;
import dev.ferry.testsupport.FerryProcess;
import dev.ferry.testsupport.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real jar with its embedded PostgreSQL, the JVM alone killed with SIGKILL: PostgreSQL, a
 * process of its own, keeps running on the data directory. The next start stops it and comes up
 * on the same data; a second Ferry on a directory that a live one uses is refused, never let to
 * stop the other's database.
 */
class OrphanedDatabaseIT {

    private static final Pattern GENERATED_PASSWORD = Pattern.compile("generated password: (\\S+)");

    @TempDir
    Path workDir;

    private FerryProcess server;

    @AfterEach
    void stopEverything() throws Exception {
        if (server != null) {
            server.stop();
        }
        postmaster().ifPresent(pg -> {
            pg.destroy();
            pg.onExit().orTimeout(20, TimeUnit.SECONDS).exceptionally(e -> {
                pg.destroyForcibly();
                return pg;
            }).join();
        });
    }

    @Test
    void aJvmKilledWithoutItsDatabaseStartsAgainOnTheSameDataAndALiveOneIsNeverTakenOver() throws Exception {
        server = FerryProcess.startUnconfigured(workDir, FreePorts.next(), FreePorts.next(), "first.log");
        Matcher generated = GENERATED_PASSWORD.matcher(server.output());
        assertThat(generated.find()).as(server.output()).isTrue();
        AdminClient admin = new AdminClient(server.apiBase(), "admin", generated.group(1));
        var created = admin.post("/api/v1/users", "{\"username\":\"survivor\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        ProcessHandle postgres = postmaster().orElseThrow();

        // Another Ferry on the same directory while this one runs: refused with a clear message.
        ExternalCommand.Result second = ExternalCommand.run(workDir, List.of(java(), "-jar", jar()), "", Map.of(
                "SFTP_PORT", String.valueOf(FreePorts.next()), "SFTP_HOST", "127.0.0.1", "SERVER_PORT", String.valueOf(FreePorts.next())));
        assertThat(second.exitCode()).isNotZero();
        assertThat(second.output()).contains("is in use by another running Ferry");
        assertThat(postgres.isAlive()).as("the running Ferry's database was left alone").isTrue();
        assertThat(admin.get("/api/v1/users/survivor").status()).isEqualTo(200);

        server.kill();
        server = null;
        assertThat(postgres.isAlive()).as("PostgreSQL outlives the killed JVM: the case at hand").isTrue();

        server = FerryProcess.startUnconfigured(workDir, FreePorts.next(), FreePorts.next(), "restarted.log");
        assertThat(server.output()).contains("Stopped the embedded PostgreSQL (pid " + postgres.pid() + ")");
        assertThat(postgres.isAlive()).isFalse();
        admin = new AdminClient(server.apiBase(), "admin", generated.group(1));
        assertThat(admin.get("/api/v1/users/survivor").status()).as("the data is intact").isEqualTo(200);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String jar() {
        return Path.of("target", "ferry.jar").toAbsolutePath().toString();
    }

    /** The embedded PostgreSQL running on this working directory, if any. */
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
