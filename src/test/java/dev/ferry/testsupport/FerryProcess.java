package dev.ferry.testsupport;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged jar ({@code target/ferry.jar}) run as a server process of its own on an external
 * test database, so a test can kill it the way a crash or the OOM killer would ({@code kill -9})
 * and start it again on the same data.
 */
public final class FerryProcess implements AutoCloseable {

    private static final Path JAR = Path.of("target", "ferry.jar").toAbsolutePath();
    private static final Duration STARTUP = Duration.ofSeconds(180);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Path workDir;
    private final Path log;
    private final int sftpPort;
    private final int httpPort;
    private final Process process;

    private FerryProcess(Path workDir, Path log, int sftpPort, int httpPort, Process process) {
        this.workDir = workDir;
        this.log = log;
        this.sftpPort = sftpPort;
        this.httpPort = httpPort;
        this.process = process;
    }

    /**
     * Starts the jar in {@code workDir} on the database with the given extra properties and waits
     * until it is healthy; its output goes to {@code workDir/<logName>}.
     */
    public static FerryProcess start(Path workDir, TestPostgres.Database database, Map<String, String> properties, String logName)
            throws Exception {
        if (!Files.isRegularFile(JAR)) {
            fail(JAR + " is missing: it is built by the package phase, before the integration tests");
        }
        int sftpPort = FreePorts.next();
        int httpPort = FreePorts.next();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx256m", "-jar", JAR.toString(),
                "--spring.datasource.url=" + database.url(), "--spring.datasource.username=" + database.username(),
                "--spring.datasource.password=" + database.password(), "--sftp.port=" + sftpPort, "--sftp.host=127.0.0.1",
                "--server.port=" + httpPort, "--server.address=127.0.0.1", "--sftp.admin.password=" + FerryInstance.ADMIN_PASSWORD,
                "--sftp.storage.local.root=" + workDir.resolve("files")));
        properties.forEach((name, value) -> command.add("--" + name + "=" + value));
        Path log = workDir.resolve(logName);
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        // Nothing from the build's environment may configure the server: only what the test sets.
        builder.environment().keySet().removeIf(n -> n.startsWith("SPRING_") || n.startsWith("SFTP_") || n.startsWith("SERVER_"));
        FerryProcess server = new FerryProcess(workDir, log, sftpPort, httpPort, builder.start());
        server.awaitHealthy();
        return server;
    }

    public int sftpPort() {
        return sftpPort;
    }

    public AdminClient admin() {
        return new AdminClient("http://127.0.0.1:" + httpPort, "admin", FerryInstance.ADMIN_PASSWORD);
    }

    /** SIGKILL: no shutdown hook, no flush, no goodbye to clients or the database. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            fail("the server did not die of SIGKILL within 30 s");
        }
    }

    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path workDir() {
        return workDir;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }

    private void awaitHealthy() throws Exception {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail("the server exited with " + process.exitValue() + ":\n" + output());
            }
            try {
                HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                        + "/actuator/health")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200 && health.body().contains("\"UP\"")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(300);
        }
        process.destroyForcibly();
        fail("not healthy within " + STARTUP + ":\n" + output());
    }
}
