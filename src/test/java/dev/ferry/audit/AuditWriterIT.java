package dev.ferry.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testsupport.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The writer's retries against a real PostgreSQL that cannot be reached for a while (its
 * connections refused, as when it restarts): a passing failure costs nothing, a caller that waits
 * is told after three attempts, a journal's records wait in it until PostgreSQL is back, and an
 * interrupted caller neither loses the batch nor its interrupt.
 */
class AuditWriterIT {

    @TempDir
    Path dir;

    /** A data source whose next {@code refusals} connections are refused, as by a PostgreSQL that is down. */
    static final class Unreachable extends DriverManagerDataSource {
        final AtomicInteger refusals = new AtomicInteger();

        Unreachable(TestPostgres.Database db) {
            super(db.url(), db.username(), db.password());
        }

        @Override
        public Connection getConnection() throws SQLException {
            if (refusals.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new SQLException("Connection refused (test)", "08001");
            }
            return super.getConnection();
        }
    }

    Unreachable database;
    JdbcTemplate jdbc;
    AuditStore store;

    @BeforeEach
    void database() {
        database = new Unreachable(TestPostgres.get().newDatabase());
        Flyway.configure().dataSource(database).locations("classpath:db/migration").load().migrate();
        jdbc = new JdbcTemplate(database);
        store = new AuditStore(jdbc, new FileDigests(jdbc, null));
    }

    static AuditEvent event(int i) {
        return AuditEvent.of(AuditType.MKDIR).withUser("writer", "127.0.0.1", "s" + i).withPaths("/d" + i, null);
    }

    @Test
    void aPassingFailureIsRetriedAndACallerIsToldAfterThreeAttempts() {
        AuditWriter writer = new AuditWriter(store, null);
        database.refusals.set(2);
        writer.writeAndWait(writer.offer(event(1), 0));
        assertThat(writer.writeFailures()).isEqualTo(2);
        assertThat(sessions()).containsExactly("s1");

        database.refusals.set(3);
        AuditWriter.Pending refused = writer.offer(event(2), 0);
        assertThatThrownBy(() -> writer.writeAndWait(refused)).hasMessageContaining("could not be written")
                .hasRootCauseMessage("Connection refused (test)");
        assertThat(writer.writeFailures()).isEqualTo(5);
        writer.writeAndWait(writer.offer(event(3), 0));
        assertThat(sessions()).containsExactly("s1", "s3");
    }

    /** MINA interrupts an SFTP session's thread when its client goes away, also while that thread writes others' records. */
    @Test
    void anInterruptedCallerWritesTheBatchAndKeepsItsInterrupt() throws Exception {
        AuditWriter writer = new AuditWriter(store, null);
        database.refusals.set(2);
        List<AuditWriter.Pending> batch = List.of(writer.offer(event(1), 0), writer.offer(event(2), 0));
        Thread caller = new Thread(() -> {
            Thread.currentThread().interrupt();
            writer.writeAndWait(batch.get(1));
            if (!Thread.currentThread().isInterrupted()) {
                throw new AssertionError("the interrupt was lost");
            }
        });
        List<Throwable> failures = new ArrayList<>();
        caller.setUncaughtExceptionHandler((t, e) -> failures.add(e));
        caller.start();
        while (caller.isAlive()) {
            caller.interrupt(); // and again during the pauses between attempts
            caller.join(50);
        }
        assertThat(failures).isEmpty();
        assertThat(writer.writeFailures()).isEqualTo(2);
        assertThat(batch.get(0).written()).isCompleted();
        assertThat(sessions()).containsExactly("s1", "s2");
    }

    @Test
    void withAJournalRecordsWaitUntilPostgresIsBackAndNoneIsLost() throws Exception {
        AuditShipper shipper = AuditShipper.open(dir.resolve("journal"), Duration.ofMillis(20));
        AuditWriter writer = new AuditWriter(store, shipper);
        writer.start();
        try {
            database.refusals.set(5); // more than one round of three attempts
            List<CompletableFuture<Void>> written = new ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                AuditWriter.Pending p = shipper.append(event(i), writer);
                shipper.sync(p.seq()); // confirmed: fsync'd in the journal, PostgreSQL down or not
                written.add(p.written());
            }
            CompletableFuture.allOf(written.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            assertThat(writer.writeFailures()).isGreaterThanOrEqualTo(5);
            assertThat(sessions()).hasSize(20).doesNotHaveDuplicates();
            assertThat(store.shipped(shipper.mark(0).journalId())).as("the journal's shipped mark").isEqualTo(20);
        } finally {
            writer.stop();
            shipper.close();
        }
    }

    private List<String> sessions() {
        return jdbc.queryForList("select session_id from audit_events order by id", String.class);
    }
}
