package dev.ferry.testsupport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real S3 API server for the tests: S3Proxy's self-contained jar (copied into
 * {@code target/s3proxy} by the build) run as its own process, storing objects in a directory.
 * It can be stopped and started again on the same port and data, for the fault tests.
 */
public final class S3ProxyServer implements AutoCloseable {

    public static final String ACCESS_KEY = "ferry-test";
    public static final String SECRET_KEY = "ferry-test-secret";

    private final int port;
    private final Path dataDir;
    private final Path config;
    private final Path log;
    private Process process;

    private S3ProxyServer(int port, Path dir) throws IOException {
        this.port = port;
        this.dataDir = Files.createDirectories(dir.resolve("data"));
        this.config = dir.resolve("s3proxy.conf");
        this.log = dir.resolve("s3proxy.log");
        Files.writeString(config, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=filesystem", // the nio2 store answers HEAD "dir" for a marker "dir/", unlike S3
                "jclouds.identity=" + ACCESS_KEY,
                "jclouds.credential=" + SECRET_KEY,
                "jclouds.filesystem.basedir=" + dataDir) + "\n");
    }

    /** Starts a new S3Proxy on a free port, with an empty store. */
    public static S3ProxyServer start() {
        try {
            S3ProxyServer server = new S3ProxyServer(FreePorts.next(), FerryInstance.tempDir("ferry-s3proxy"));
            server.startProcess();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start S3Proxy", e);
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Where the objects of a bucket are, as files (S3Proxy's filesystem store). */
    public Path bucketDir(String bucket) {
        return dataDir.resolve(bucket);
    }

    public synchronized void startProcess() throws IOException {
        if (process != null && process.isAlive()) {
            return;
        }
        Path jar = Path.of("target", "s3proxy", "s3proxy.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("S3Proxy is missing at " + jar + ": run the tests through Maven "
                    + "(the build copies org.gaul:s3proxy:jar-with-dependencies there)");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx512m", "-XX:+UseSerialGC", "-jar", jar.toString(),
                "--properties", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("LOG_LEVEL", "warn");
        process = builder.start();
        Process started = process;
        Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!started.isAlive()) {
                throw new IllegalStateException("S3Proxy exited at start; its log: " + Files.readString(log));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                sleep(100);
            }
        }
        throw new IllegalStateException("S3Proxy did not listen on " + port + " within 60 s; its log: " + Files.readString(log));
    }

    /** Kills the server (as a crash would): open connections break. */
    public synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        kill();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
