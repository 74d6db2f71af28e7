package dev.ferry.system;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL is a process of its own: when the JVM is killed ({@code kill -9}, the
 * OOM killer) it keeps running on the data directory, and its {@code postmaster.pid} makes the
 * next start fail. At start, before the embedded library starts PostgreSQL, this finds such an
 * orphan and stops it the way {@code pg_ctl stop -m fast} does (SIGINT), so the new one starts on
 * the same data (PostgreSQL's fast shutdown writes a checkpoint).
 * <p>
 * It stops only what it has checked: a live Ferry holds the directory's {@code epg-lock} (the
 * library's lock, released by the OS when the JVM dies), and then the start is refused instead;
 * and the process named in {@code postmaster.pid} must be a {@code postgres} whose {@code -D} is
 * this very directory. A pid the OS has given to an unrelated process since is left alone, and
 * only the stale file is removed (PostgreSQL would take that process for itself and refuse to
 * start). The library has no such step of its own, hence this class.
 */
final class OrphanedPostgres {

    private static final Logger log = LoggerFactory.getLogger(OrphanedPostgres.class);
    static final String PID_FILE = "postmaster.pid";
    /** The embedded library's lock file in the data directory, held by the JVM that runs the database. */
    static final String LIBRARY_LOCK = "epg-lock";

    private OrphanedPostgres() {
    }

    /**
     * Stops the PostgreSQL a dead Ferry left running on {@code dataDir}, if there is one.
     *
     * @throws IllegalStateException when a live Ferry uses the directory, or the orphan does not stop
     */
    static void stopIfAny(Path dataDir, Duration wait) throws IOException {
        Path dir = dataDir.toRealPath();
        Path pidFile = dir.resolve(PID_FILE);
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile);
        long pid;
        try {
            pid = Long.parseLong(lines.isEmpty() ? "" : lines.get(0).trim());
        } catch (NumberFormatException e) {
            return; // being written, or damaged: PostgreSQL judges it itself
        }
        refuseIfInUse(dir, pid);
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (process.isEmpty()) {
            return; // a stale file: PostgreSQL removes it itself
        }
        if (!isPostgresOf(process.get(), dir)) {
            log.warn("{} names process {}, which is not a PostgreSQL of this directory (the pid was reused): removing the stale file",
                    pidFile, pid);
            Files.deleteIfExists(pidFile);
            return;
        }
        log.warn("The embedded PostgreSQL (pid {}) of a previous Ferry is still running on {}: that Ferry ended without "
                + "stopping it (killed?). Stopping it before starting again on the same data", pid, dir);
        stop(process.get(), dir, wait);
        log.info("Stopped the embedded PostgreSQL (pid {}) that a previous Ferry left running on {}", pid, dir);
    }

    /** A live Ferry holds the library's lock while it runs the database: never stop that one. */
    private static void refuseIfInUse(Path dir, long pid) throws IOException {
        Path lockFile = dir.resolve(LIBRARY_LOCK);
        if (!Files.exists(lockFile)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // this very JVM runs it
            }
            if (lock == null) {
                throw new IllegalStateException("The embedded PostgreSQL data directory " + dir + " is in use by another running "
                        + "Ferry (its PostgreSQL has pid " + pid + "): stop that Ferry first, or give each one its own "
                        + "sftp.embedded-db.dir");
            }
            lock.release();
        }
    }

    /** Whether {@code process} is a PostgreSQL server ({@code postgres -D dir}) on {@code dir}. */
    static boolean isPostgresOf(ProcessHandle process, Path dir) {
        ProcessHandle.Info info = process.info();
        Optional<String> command = info.command();
        Optional<String[]> arguments = info.arguments();
        if (command.isEmpty() || arguments.isEmpty() || !Path.of(command.get()).getFileName().toString().equals("postgres")) {
            return false;
        }
        String[] args = arguments.get();
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("-D") && sameDirectory(Path.of(args[i + 1]), dir)) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameDirectory(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * SIGINT, PostgreSQL's fast shutdown (what {@code pg_ctl stop -m fast} sends; pg_ctl itself
     * refuses to run as root, which containers often are), then waits for the process to end.
     */
    private static void stop(ProcessHandle process, Path dir, Duration wait) throws IOException {
        Process signal = new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            signal.waitFor(10, TimeUnit.SECONDS);
            process.onExit().get(wait.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the orphaned PostgreSQL " + process.pid(), e);
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("The PostgreSQL (pid " + process.pid() + ") a previous Ferry left running on " + dir
                    + " did not stop within " + wait + ": stop it (kill -INT " + process.pid() + "), then start Ferry again", e);
        }
    }
}
