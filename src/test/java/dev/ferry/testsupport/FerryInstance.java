package dev.ferry.testsupport;

import dev.ferry.FerryApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A whole Ferry server (SFTP, admin API, real PostgreSQL, local storage in a temp dir) started
 * in this JVM on free 127.0.0.1 ports. Several can share one database, like replicas.
 */
public final class FerryInstance implements AutoCloseable {

    public static final String ADMIN_PASSWORD = "test-admin-password";

    private final ConfigurableApplicationContext context;
    private final int sftpPort;
    private final int httpPort;
    private final Path storageRoot;
    private final TestPostgres.Database database;

    private FerryInstance(ConfigurableApplicationContext context, int sftpPort, int httpPort, Path storageRoot,
            TestPostgres.Database database) {
        this.context = context;
        this.sftpPort = sftpPort;
        this.httpPort = httpPort;
        this.storageRoot = storageRoot;
        this.database = database;
    }

    /** A new instance with a database and storage of its own. */
    public static FerryInstance start() {
        return start(TestPostgres.get().newDatabase(), tempDir("ferry-files"), Map.of());
    }

    /** An instance on a given database and storage root, e.g. a second replica of another. */
    public static FerryInstance start(TestPostgres.Database database, Path storageRoot, Map<String, String> extra) {
        int sftpPort = FreePorts.next();
        int httpPort = FreePorts.next();
        Map<String, Object> props = new HashMap<>();
        props.put("spring.datasource.url", database.url());
        props.put("spring.datasource.username", database.username());
        props.put("spring.datasource.password", database.password());
        props.put("sftp.port", sftpPort);
        props.put("sftp.host", "127.0.0.1");
        props.put("server.port", httpPort);
        props.put("server.address", "127.0.0.1");
        props.put("sftp.storage.local.root", storageRoot.toString());
        props.put("sftp.admin.password", ADMIN_PASSWORD);
        props.put("spring.jmx.enabled", "false");
        // Tests send many wrong passwords from 127.0.0.1 on purpose; HttpHardeningIT sets its own limit.
        props.put("sftp.admin-api.login-throttle.max-failures", "1000");
        props.put("sftp.admin-api.login-throttle.max-failures-per-address", "100000");
        // Tests fail SFTP logins from 127.0.0.1 on purpose; BruteForceIT sets its own limit.
        props.put("sftp.defender.max-failures", "1000");
        props.put("sftp.defender.max-address-score", "1000");
        props.putAll(extra);
        // As command-line arguments, so that they also override application.properties (as an operator's would)
        String[] args = props.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        ConfigurableApplicationContext context = new SpringApplicationBuilder(FerryApplication.class).listeners(new LoggingStartLock()).run(args);
        return new FerryInstance(context, sftpPort, httpPort, storageRoot, database);
    }

    /** Another replica: same database and storage, its own ports. */
    public FerryInstance replica() {
        return start(database, storageRoot, Map.of());
    }

    public int sftpPort() {
        return sftpPort;
    }

    public String apiBase() {
        return "http://127.0.0.1:" + httpPort;
    }

    public Path storageRoot() {
        return storageRoot;
    }

    public Path homeOf(String username) {
        return storageRoot.resolve(username);
    }

    public TestPostgres.Database database() {
        return database;
    }

    public AdminClient admin() {
        return new AdminClient(apiBase(), "admin", ADMIN_PASSWORD);
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    @Override
    public void close() {
        context.close();
    }

    public static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix).toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
