package dev.ferry.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link OrphanedPostgres} must never stop: a process that merely got the pid of a dead
 * PostgreSQL, and a database that a live Ferry still runs. (Stopping a real orphan:
 * {@code OrphanedDatabaseIT}.)
 */
class OrphanedPostgresTest {

    @TempDir
    Path dir;

    private Process unrelated;

    @AfterEach
    void stopUnrelated() {
        if (unrelated != null) {
            unrelated.destroyForcibly();
        }
    }

    @Test
    void aPidFileNamingAnUnrelatedLiveProcessIsRemovedAndTheProcessLeftAlone() throws Exception {
        unrelated = new ProcessBuilder("sleep", "300").start();
        writePidFile(unrelated.pid());

        OrphanedPostgres.stopIfAny(dir, Duration.ofSeconds(5));

        assertThat(unrelated.isAlive()).as("an unrelated process with the recorded pid is never signalled").isTrue();
        assertThat(dir.resolve(OrphanedPostgres.PID_FILE)).as("the stale file, which would stop PostgreSQL from starting").doesNotExist();
    }

    @Test
    void aDatabaseThatALiveFerryRunsIsRefusedWithAClearMessage() throws Exception {
        unrelated = new ProcessBuilder("sleep", "300").start();
        writePidFile(unrelated.pid());
        try (FileChannel channel = FileChannel.open(dir.resolve(OrphanedPostgres.LIBRARY_LOCK), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock held = channel.lock()) {
            assertThatThrownBy(() -> OrphanedPostgres.stopIfAny(dir, Duration.ofSeconds(5)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("in use by another running Ferry")
                    .hasMessageContaining("sftp.embedded-db.dir");
        }
        assertThat(unrelated.isAlive()).isTrue();
        assertThat(dir.resolve(OrphanedPostgres.PID_FILE)).exists();
    }

    @Test
    void aPidFileOfADeadProcessIsLeftToPostgres() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        assertThat(gone.waitFor(10, TimeUnit.SECONDS)).isTrue();
        writePidFile(gone.pid());

        OrphanedPostgres.stopIfAny(dir, Duration.ofSeconds(5));

        assertThat(dir.resolve(OrphanedPostgres.PID_FILE)).exists();
    }

    private void writePidFile(long pid) throws IOException {
        // PostgreSQL's layout: pid, data directory, start time, port, socket directory, ...
        Files.writeString(dir.resolve(OrphanedPostgres.PID_FILE), pid + "\n" + dir + "\n1700000000\n54321\n/tmp\n");
    }
}
