package dev.ferry.testsupport;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An identity service for Ferry's auth hook in tests: the JDK's HTTP server on 127.0.0.1 answering
 * {@code /auth} with the test's handler (one thread per request, so a handler may hold its answer),
 * and the settings that point a Ferry instance at it.
 */
public final class AuthHookServer implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService threads;

    private AuthHookServer(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    public static AuthHookServer start(HttpHandler answer) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", FreePorts.next()), 100);
            ExecutorService threads = Executors.newCachedThreadPool();
            server.setExecutor(threads);
            server.createContext("/auth", answer);
            server.start();
            return new AuthHookServer(server, threads);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Ferry's settings for this hook with this secret (plain HTTP on loopback allowed), plus {@code more}. */
    public Map<String, String> settings(String secret, Map<String, String> more) {
        Map<String, String> settings = new HashMap<>(Map.of(
                "sftp.auth-hook.url", "http://127.0.0.1:" + server.getAddress().getPort() + "/auth",
                "sftp.auth-hook.secret", secret,
                "sftp.auth-hook.allow-http", "true",
                "sftp.auth-hook.allow-private-targets", "true"));
        settings.putAll(more);
        return settings;
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
