package dev.ferry.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** Reading times must not make SFTP requests wait on a PostgreSQL that does not answer. */
class ObjectAttributesTest {

    /** A PostgreSQL URL where nothing listens, counting how often a connection is tried. */
    static final class Unreachable extends DelegatingDataSource {
        final AtomicInteger tries = new AtomicInteger();

        Unreachable() {
            super(new DriverManagerDataSource("jdbc:postgresql://127.0.0.1:1/ferry?connectTimeout=2", "ferry", "ferry"));
        }

        @Override
        public Connection getConnection() throws SQLException {
            tries.incrementAndGet();
            return super.getConnection();
        }
    }

    @Test
    void afterADatabaseFailureReadsAnswerNothingWithoutTryingAgainForAWhile() {
        Unreachable database = new Unreachable();
        ObjectAttributes times = new ObjectAttributes(database);

        assertThat(times.find("bucket", "home/a.csv", "\"etag\"")).isEmpty();
        assertThat(database.tries.get()).isOne();

        assertThat(times.find("bucket", "home/b.csv", "\"etag\"")).isEmpty();
        assertThat(times.find("bucket", Map.of("home/c.csv", "\"etag\""))).isEmpty();
        assertThat(database.tries.get()).as("no new attempt while reads are paused").isOne();
    }
}
