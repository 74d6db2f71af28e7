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
 * The packaged jar ({@code target/ferry.jar}) run as a server process of its own, the way users
 * run it: a test can stop it as an init system would (SIGTERM), kill it the way a crash or the
 * OOM killer would ({@code kill -9}), and start it again on the same data.
 */
public final class FerryProcess implements AutoCloseable {

    private static final Path JAR = Path.of("target", "ferry.jar").toAbsolutePath();
    // Generous: a first start with the embedded database extracts and initialises PostgreSQL,
    // slow on a loaded CI machine.
    private static final Duration STARTUP = Duration.ofSeconds(300);
    private static final Duration STOP = Duration.ofSeconds(60);
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
        return start(workDir, database, properties, logName, List.of("-Xmx256m"));
    }

    /** As {@link #start(Path, TestPostgres.Database, Map, String)}, with the JVM's options (e.g. the heap). */
    public static FerryProcess start(Path workDir, TestPostgres.Database database, Map<String, String> properties, String logName,
            List<String> jvmOptions) throws Exception {
        int sftpPort = FreePorts.next();
        int httpPort = FreePorts.next();
        List<String> command = new ArrayList<>(List.of(java()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar(),
                "--spring.datasource.url=" + database.url(), "--spring.datasource.username=" + database.username(),
                "--spring.datasource.password=" + database.password(), "--sftp.port=" + sftpPort, "--sftp.host=127.0.0.1",
                "--server.port=" + httpPort, "--server.address=127.0.0.1", "--sftp.admin.password=" + FerryInstance.ADMIN_PASSWORD,
                "--sftp.storage.local.root=" + workDir.resolve("files")));
        properties.forEach((name, value) -> command.add("--" + name + "=" + value));
        return launch(workDir, logName, sftpPort, httpPort, command, Map.of());
    }

    /**
     * Starts the jar as the README says, {@code java -jar ferry.jar} in {@code workDir}, configured
     * with nothing but its ports (environment variables), and waits until it is healthy.
     */
    public static FerryProcess startUnconfigured(Path workDir, int sftpPort, int httpPort, String logName) throws Exception {
        return launch(workDir, logName, sftpPort, httpPort, List.of(java(), "-jar", jar()), Map.of("SFTP_PORT",
                String.valueOf(sftpPort), "SFTP_HOST", "127.0.0.1", "SERVER_PORT", String.valueOf(httpPort)));
    }

    private static FerryProcess launch(Path workDir, String logName, int sftpPort, int httpPort, List<String> command,
            Map<String, String> environment) throws Exception {
        Path log = workDir.resolve(logName);
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        // Nothing from the build's environment may configure the server: only what the test sets.
        builder.environment().keySet().removeIf(n -> n.startsWith("SPRING_") || n.startsWith("SFTP_") || n.startsWith("SERVER_"));
        builder.environment().putAll(environment);
        FerryProcess server = new FerryProcess(workDir, log, sftpPort, httpPort, builder.start());
        server.awaitHealthy();
        return server;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String jar() {
        if (!Files.isRegularFile(JAR)) {
            fail(JAR + " is missing: it is built by the package phase, before the integration tests");
        }
        return JAR.toString();
    }

    public int sftpPort() {
        return sftpPort;
    }

    public String apiBase() {
        return "http://127.0.0.1:" + httpPort;
    }

    /** The admin API as the bootstrap admin with the tests' password. */
    public AdminClient admin() {
        return new AdminClient(apiBase(), "admin", FerryInstance.ADMIN_PASSWORD);
    }

    /** SIGKILL: no shutdown hook, no flush, no goodbye to clients or the database. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            fail("the server did not die of SIGKILL within 30 s");
        }
    }

    /** SIGTERM, as an init system stops it; fails (after killing it) if the JVM has not ended within a minute. */
    public void stop() throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(STOP.toSeconds(), TimeUnit.SECONDS)) {
            kill();
            fail("the server did not stop within " + STOP + " of SIGTERM:\n" + output());
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

    /** Stops the server ({@link #stop}) if it still runs. */
    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private void awaitHealthy() throws Exception {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail("the server exited with " + process.exitValue() + ":\n" + output());
            }
            try {
                HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(URI.create(apiBase() + "/actuator/health"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
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
