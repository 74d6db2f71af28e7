package dev.ferry.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * One real PostgreSQL server for the whole test JVM: a Testcontainers container where a Docker
 * engine answers, otherwise an embedded PostgreSQL started from the build. Never skips: if
 * neither starts, every test that needs it fails with the reason.
 * <p>
 * Each caller gets a fresh database of its own ({@link #newDatabase()}), so tests do not see each
 * other's rows, and two Ferry instances can share one database when a test needs that.
 */
public final class TestPostgres {

    public record Database(String url, String username, String password) {
    }

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static volatile TestPostgres instance;

    private final String host;
    private final int port;
    private final String username;
    private final String password;
    private final String kind;

    private TestPostgres(String host, int port, String username, String password, String kind) {
        this.host = host;
        this.port = port;
        this.username = username;
        this.password = password;
        this.kind = kind;
    }

    public static synchronized TestPostgres get() {
        if (instance == null) {
            instance = start();
        }
        return instance;
    }

    /** Creates an empty database on the shared server. */
    public Database newDatabase() {
        String name = "ferry_test_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        try (Connection c = adminDataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name + " on " + kind, e);
        }
        return new Database("jdbc:postgresql://" + host + ":" + port + "/" + name, username, password);
    }

    public String kind() {
        return kind;
    }

    private DataSource adminDataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {host});
        ds.setPortNumbers(new int[] {port});
        ds.setDatabaseName("postgres");
        ds.setUser(username);
        ds.setPassword(password);
        return ds;
    }

    private static TestPostgres start() {
        Throwable dockerFailure = null;
        if (Docker.available()) {
            try {
                @SuppressWarnings("resource")
                PostgreSQLContainer container = new PostgreSQLContainer("postgres:17-alpine");
                container.start();
                Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
                System.out.println("[TestPostgres] using a Testcontainers PostgreSQL at " + container.getJdbcUrl());
                return new TestPostgres(container.getHost(), container.getFirstMappedPort(), container.getUsername(),
                        container.getPassword(), "testcontainers");
            } catch (RuntimeException e) {
                dockerFailure = e;
                System.out.println("[TestPostgres] Docker answered but the container did not start (" + e + "); using embedded PostgreSQL");
            }
        } else {
            System.out.println("[TestPostgres] no Docker engine: using embedded PostgreSQL (io.zonky.test)");
        }
        try {
            Path dir = Files.createTempDirectory("ferry-test-pg");
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dir)
                    .setCleanDataDirectory(true)
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    postgres.close();
                } catch (IOException ignored) {
                    // the JVM is going away
                }
            }));
            return new TestPostgres("127.0.0.1", postgres.getPort(), "postgres", "postgres", "embedded");
        } catch (IOException | RuntimeException e) {
            IllegalStateException failure = new IllegalStateException(
                    "No PostgreSQL for the tests: neither Testcontainers nor embedded PostgreSQL started", e);
            if (dockerFailure != null) {
                failure.addSuppressed(dockerFailure);
            }
            throw failure;
        }
    }
}
