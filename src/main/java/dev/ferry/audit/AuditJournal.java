package dev.ferry.audit;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node-local write-ahead journal of audit records: the durability point of an upload's record
 * when {@code sftp.audit.durability=journal}. A record is appended and fsync'd here before the
 * client's CLOSE is confirmed; the {@link AuditShipper} ships the journal to PostgreSQL in batches
 * and records, in the same transaction, how far it got, so a restart after a crash re-ships
 * exactly what had not arrived.
 * <p>
 * Callers never touch the files: {@link #append} numbers the entry and queues it
 * ({@link JournalQueue}), {@link #sync} waits (uninterruptibly) until the journal's own I/O
 * thread ({@link JournalWriter}) has written and fsync'd it. The files are described in
 * {@link JournalFormat}; a torn entry at the end (a crash in the middle of a write, never
 * confirmed) is cut off at open. The directory's lock (one process per directory) is held on a
 * channel never used for I/O, so no interrupt can close it.
 */
final class AuditJournal implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(AuditJournal.class);
    /** A segment is closed and a new one begun past this size; it is dropped once all of it is shipped. */
    static final long SEGMENT_SIZE = 16L * 1024 * 1024;

    /** An entry read back from the journal. */
    record Entry(long seq, AuditEvent event) {
    }

    private final Path dir;
    private final UUID id;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final JournalWriter writer;
    private final JournalQueue queue;

    private AuditJournal(Path dir, long segmentSize, FileChannel lockChannel, FileLock lock) throws IOException {
        this.dir = dir;
        this.id = JournalFormat.readOrCreateId(dir);
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.writer = new JournalWriter(dir, segmentSize);
        this.queue = new JournalQueue(dir, writer.lastSeq());
        writer.start(queue);
    }

    /**
     * Opens (or creates) the journal in {@code dir}, checking every entry it holds and cutting off
     * an incomplete one at the end.
     *
     * @throws IllegalStateException when another process has the directory open
     */
    static AuditJournal open(Path dir) throws IOException {
        return open(dir, SEGMENT_SIZE);
    }

    /** As {@link #open(Path)}, with segments of another size (tests). */
    static AuditJournal open(Path dir, long segmentSize) throws IOException {
        Path absolute = dir.toAbsolutePath().normalize();
        Files.createDirectories(absolute);
        FileChannel lockChannel = FileChannel.open(absolute.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this very process
        } catch (IOException | RuntimeException e) {
            lockChannel.close();
            throw e;
        }
        if (lock == null) {
            lockChannel.close();
            throw new IllegalStateException("The audit journal " + absolute + " is in use by another Ferry process: "
                    + "give every instance its own sftp.audit.journal-dir");
        }
        try {
            return new AuditJournal(absolute, segmentSize, lockChannel, lock);
        } catch (IOException | RuntimeException e) {
            lock.release();
            lockChannel.close();
            throw e;
        }
    }

    /** Reads the entries of a journal without opening it for writing (tests, diagnostics). */
    static List<Entry> read(Path dir) throws IOException {
        return JournalFormat.readAfter(dir.toAbsolutePath().normalize(), 0);
    }

    UUID id() {
        return id;
    }

    /** Whether this journal still holds its directory's lock (it does until {@link #close}). */
    boolean holdsLock() {
        return lock.isValid();
    }

    /** How often the I/O thread found its file closed under it and reopened it. */
    long reopens() {
        return writer.reopens();
    }

    /** Entries with a sequence number above {@code shippedSeq}, in order (read at start, before any append). */
    List<Entry> unshipped(long shippedSeq) throws IOException {
        return JournalFormat.readAfter(dir, shippedSeq);
    }

    /**
     * PostgreSQL holds everything up to {@code shippedSeq} (its mark, read at start): numbering
     * continues after it even if this journal ends earlier, so a new entry never gets a number
     * the mark already covers. (Records reach PostgreSQL from memory, so they may get there before
     * the I/O thread has written them, and a crash can leave the journal behind the mark.)
     */
    void continueAfter(long shippedSeq) {
        queue.continueAfter(shippedSeq);
    }

    /**
     * Numbers an event and queues it for the I/O thread; returns its sequence number at once
     * (it is durable after {@link #sync}). No I/O happens on the caller's thread.
     *
     * @throws IllegalStateException when the journal is closed, or so far behind a failing disk
     *                               that it refuses more
     */
    long append(AuditEvent event) {
        byte[] payload = AuditEventCodec.encode(event);
        if (payload.length > JournalFormat.MAX_ENTRY) {
            throw new IllegalArgumentException("audit record too large for the journal: " + payload.length + " bytes");
        }
        return queue.append(payload);
    }

    /**
     * Returns once every entry up to {@code seq} is on stable storage; entries that arrive while
     * the I/O thread fsyncs share the next fsync (group commit). Waits through interrupts (the
     * caller's interrupt status is kept): a session closing under its upload's CLOSE still gets a
     * true answer.
     *
     * @throws UncheckedIOException when an attempt to write the entry failed while the caller
     *                              waited (the journal keeps trying: it may still be written later)
     */
    void sync(long seq) {
        queue.sync(seq);
    }

    /**
     * Everything up to {@code seq} is in PostgreSQL: the I/O thread drops the segments that hold
     * nothing newer, and starts a new segment when the current one is big (it is dropped once
     * shipped in turn). Returns at once.
     */
    void shipped(long seq) {
        queue.shipped(seq);
    }

    /** Waits until the I/O thread has written everything appended and acted on every shipped mark (tests). */
    void settle() {
        queue.settle();
    }

    /** Writes and fsyncs what is queued, closes the files and releases the directory's lock. */
    @Override
    public void close() throws IOException {
        queue.close();
        try {
            if (!writer.awaitEnd(TimeUnit.SECONDS.toNanos(30))) {
                log.error("Audit journal {}: could not write its last records within 30 s ({})", dir, queue.failure());
            }
        } finally {
            lock.release();
            lockChannel.close();
        }
    }
}
