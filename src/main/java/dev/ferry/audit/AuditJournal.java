package dev.ferry.audit;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node-local write-ahead journal of audit records: the durability point of an upload's record
 * when {@code sftp.audit.durability=journal}. A record is appended and fsync'd here before the
 * client's CLOSE is confirmed; {@link AuditLog} ships the journal to PostgreSQL in batches and
 * records, in the same transaction, how far it got, so a restart after a crash re-ships exactly
 * what had not arrived.
 * <p>
 * <b>One thread does all the file I/O.</b> A {@link FileChannel} is interruptible: a thread
 * interrupted during (or before) a write or fsync closes the channel for every thread, and MINA
 * interrupts an SFTP session's thread when its client goes away. So callers never touch the
 * files: {@link #append} numbers the entry and queues it, {@link #sync} waits (uninterruptibly)
 * until the journal thread has written and fsync'd it. The journal thread writes whatever has
 * queued up and fsyncs once for all of it (group commit). Should a channel be closed anyway (the
 * journal thread interrupted, an I/O error), it reopens the segment, cuts it back to what was
 * durable and writes the rest again; entries leave memory only once fsync'd. The directory's
 * lock channel is never used for I/O after opening, so it cannot be closed by an interrupt.
 * <p>
 * Layout: {@code journal-id} (this journal's UUID, the key of its shipped mark in PostgreSQL),
 * {@code lock} (held while open: one process per directory), and segments
 * {@code segment-<first sequence number>.log} of entries
 * {@code [int length][int crc32c][long seq][event]}; the CRC covers seq and event. A torn entry
 * at the end (a crash in the middle of a write, never confirmed) is cut off at open.
 */
final class AuditJournal implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(AuditJournal.class);
    private static final String ID_FILE = "journal-id";
    private static final String PREFIX = "segment-";
    private static final String SUFFIX = ".log";
    private static final int HEADER = 4 + 4 + 8;
    private static final int MAX_ENTRY = 1 << 20;
    /** Entries waiting for the disk beyond this are refused: a journal that cannot write must not fill the heap. */
    private static final int MAX_QUEUED = 100_000;
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** A segment is closed and a new one begun past this size; it is dropped once all of it is shipped. */
    static final long SEGMENT_SIZE = 16L * 1024 * 1024;

    /** An entry read back from the journal. */
    record Entry(long seq, AuditEvent event) {
    }

    private record Segment(long firstSeq, Path file) {
    }

    /** An entry numbered and waiting to be written and fsync'd. */
    private record Queued(long seq, ByteBuffer bytes) {
    }

    private final Path dir;
    private final long segmentSize;
    private final UUID id;
    private final FileChannel lockChannel;
    private final FileLock lock;

    // ---- shared by callers and the journal thread, guarded by `state` ------------------------
    private final ReentrantLock state = new ReentrantLock();
    /** Signalled for the journal thread: entries, a shipped mark or closing. */
    private final Condition work = state.newCondition();
    /** Signalled by the journal thread after every attempt, successful or not. */
    private final Condition progress = state.newCondition();
    /** Entries numbered but not yet durable, in order; the journal thread removes them once fsync'd. */
    private final ArrayDeque<Queued> queued = new ArrayDeque<>();
    /** The last number given out. */
    private long lastSeq;
    /** Every entry up to this one is on stable storage. */
    private long syncedSeq;
    /** Failed write attempts so far, and the last entry the latest of them covered. */
    private long failures;
    private long failedSeq;
    private Exception failure;
    /** Everything up to this is in PostgreSQL (see {@link #shipped}); and what the journal thread has acted on. */
    private long shippedSeq;
    private long shippedHandled;
    /** Numbering jumped past PostgreSQL's shipped mark at start (see {@link #continueAfter}); 0 when done. */
    private long skipTo;
    private boolean closing;
    /** The journal thread has ended (after {@link #close}). */
    private boolean finished;
    /** Times the journal thread found its file closed under it and reopened it. */
    private final java.util.concurrent.atomic.AtomicLong reopens = new java.util.concurrent.atomic.AtomicLong();

    // ---- the journal thread's alone ---------------------------------------------------------
    /** Segments before the current one, oldest first, each fsync'd when it was closed. */
    private final List<Segment> closed = new ArrayList<>();
    private Segment current;
    private FileChannel channel;
    /** The last entry written to the current file; the last fsync'd one and the file's size after it. */
    private long writtenSeq;
    private long durableSeq;
    private long durableSize;
    /** A write failed: the file may be closed, or hold more than the durable entries. */
    private boolean dirty;
    private final Thread writer;

    private AuditJournal(Path dir, long segmentSize, UUID id, FileChannel lockChannel, FileLock lock) throws IOException {
        this.dir = dir;
        this.segmentSize = segmentSize;
        this.id = id;
        this.lockChannel = lockChannel;
        this.lock = lock;
        recover();
        writer = new Thread(this::run, "audit-journal " + dir);
        writer.setDaemon(true);
        writer.start();
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
        } catch (java.nio.channels.OverlappingFileLockException e) {
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
            return new AuditJournal(absolute, segmentSize, readOrCreateId(absolute), lockChannel, lock);
        } catch (IOException | RuntimeException e) {
            lock.release();
            lockChannel.close();
            throw e;
        }
    }

    /** Reads the entries of a journal without opening it for writing (tests, diagnostics). */
    static List<Entry> read(Path dir) throws IOException {
        return readAfter(dir.toAbsolutePath().normalize(), 0);
    }

    /** The entries with a sequence number above {@code seq}, in order. */
    private static List<Entry> readAfter(Path dir, long seq) throws IOException {
        List<Entry> entries = new ArrayList<>();
        for (Segment segment : segments(dir)) {
            try (FileChannel in = FileChannel.open(segment.file(), StandardOpenOption.READ)) {
                readEntries(in, segment, entry -> {
                    if (entry.seq() > seq) {
                        entries.add(entry);
                    }
                });
            }
        }
        return entries;
    }

    UUID id() {
        return id;
    }

    /** Whether this journal still holds its directory's lock (it does until {@link #close}). */
    boolean holdsLock() {
        return lock.isValid();
    }

    /** How often the journal thread found its file closed under it and reopened it. */
    long reopens() {
        return reopens.get();
    }

    /** Entries with a sequence number above {@code shippedSeq}, in order (read at start, before any append). */
    List<Entry> unshipped(long shippedSeq) throws IOException {
        return readAfter(dir, shippedSeq);
    }

    /**
     * PostgreSQL holds everything up to {@code shippedSeq} (its mark, read at start): numbering
     * continues after it even if this journal ends earlier, so a new entry never gets a number
     * the mark already covers. (Records reach PostgreSQL from memory, so they may get there before
     * the journal thread has written them, and a crash can leave the journal behind the mark.)
     */
    void continueAfter(long shippedSeq) {
        state.lock();
        try {
            if (shippedSeq > lastSeq) {
                if (!queued.isEmpty()) {
                    throw new IllegalStateException("the audit journal's numbering can only be moved before the first append");
                }
                lastSeq = shippedSeq;
                syncedSeq = shippedSeq;
                skipTo = shippedSeq;
                work.signal();
            }
        } finally {
            state.unlock();
        }
    }

    /**
     * Numbers an event and queues it for the journal thread; returns its sequence number at once
     * (it is durable after {@link #sync}). No I/O happens on the caller's thread.
     *
     * @throws IllegalStateException when the journal is closed, or so far behind a failing disk
     *                               that it refuses more
     */
    long append(AuditEvent event) {
        byte[] payload = AuditEventCodec.encode(event);
        if (payload.length > MAX_ENTRY) {
            throw new IllegalArgumentException("audit record too large for the journal: " + payload.length + " bytes");
        }
        state.lock();
        try {
            if (closing) {
                throw new IllegalStateException("the audit journal " + dir + " is closed");
            }
            if (queued.size() >= MAX_QUEUED) {
                throw new IllegalStateException("the audit journal " + dir + " is " + queued.size()
                        + " records behind, the disk does not take them: " + failure);
            }
            long seq = ++lastSeq;
            queued.add(new Queued(seq, entry(seq, payload)));
            work.signal();
            return seq;
        } finally {
            state.unlock();
        }
    }

    /**
     * Returns once every entry up to {@code seq} is on stable storage; entries that arrive while
     * the journal thread fsyncs share the next fsync (group commit). Waits through interrupts
     * (the caller's interrupt status is kept): a session closing under its upload's CLOSE still
     * gets a true answer.
     *
     * @throws UncheckedIOException when an attempt to write the entry failed while the caller
     *                              waited (the journal keeps trying: it may still be written later)
     */
    void sync(long seq) {
        state.lock();
        try {
            long seenFailures = failures;
            while (syncedSeq < seq) {
                if (failures != seenFailures && failedSeq >= seq) {
                    throw new UncheckedIOException("could not write the audit journal in " + dir, asIOException(failure));
                }
                if (finished) {
                    throw new UncheckedIOException(new IOException("the audit journal " + dir + " is closed"));
                }
                progress.awaitUninterruptibly();
            }
        } finally {
            state.unlock();
        }
    }

    /**
     * Everything up to {@code seq} is in PostgreSQL: the journal thread drops the segments that
     * hold nothing newer, and starts a new segment when the current one is big (it is dropped
     * once shipped in turn). Returns at once.
     */
    void shipped(long seq) {
        state.lock();
        try {
            if (seq > shippedSeq) {
                shippedSeq = seq;
                work.signal();
            }
        } finally {
            state.unlock();
        }
    }

    /** Waits until the journal thread has written everything appended and acted on every shipped mark (tests). */
    void settle() {
        state.lock();
        try {
            while (!queued.isEmpty() || shippedHandled < shippedSeq || skipTo != 0) {
                if (finished) {
                    throw new IllegalStateException("the audit journal " + dir + " is closed");
                }
                progress.awaitUninterruptibly();
            }
        } finally {
            state.unlock();
        }
    }

    /** Writes and fsyncs what is queued, closes the files and releases the directory's lock. */
    @Override
    public void close() throws IOException {
        state.lock();
        try {
            closing = true;
            work.signal();
        } finally {
            state.unlock();
        }
        try {
            boolean interrupted = false;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (writer.isAlive() && System.nanoTime() < deadline) {
                try {
                    writer.join(TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 1);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (writer.isAlive()) {
                log.error("Audit journal {}: could not write its last records within 30 s ({})", dir, failure);
            }
        } finally {
            lock.release();
            lockChannel.close();
        }
    }

    // ---- the journal thread -------------------------------------------------------------

    private void run() {
        long backoff = 0;
        while (true) {
            List<Queued> batch;
            long ship;
            long skip;
            state.lock();
            try {
                while (queued.isEmpty() && shippedHandled == shippedSeq && skipTo == 0 && !closing) {
                    work.awaitUninterruptibly();
                }
                if (closing && queued.isEmpty() && skipTo == 0) {
                    break;
                }
                batch = new ArrayList<>(queued);
                ship = shippedSeq;
                skip = skipTo;
            } finally {
                state.unlock();
            }
            try {
                writeDurably(skip, batch);
                if (backoff > 0) {
                    log.info("Audit journal {}: writing again", dir);
                    backoff = 0;
                }
                synced(batch, skip);
            } catch (Exception | Error e) {
                failed(batch, e, backoff == 0);
                if (closing) {
                    break;
                }
                backoff = backoff == 0 ? TimeUnit.MILLISECONDS.toNanos(50) : Math.min(backoff * 2, MAX_BACKOFF_NANOS);
                pause(backoff);
                continue;
            }
            dropShipped(ship);
        }
        try {
            if (channel != null && channel.isOpen()) {
                channel.force(false);
                channel.close();
            }
        } catch (IOException e) {
            log.warn("Could not close the audit journal {}: {}", current.file(), e.toString());
        }
        state.lock();
        try {
            finished = true;
            progress.signalAll();
        } finally {
            state.unlock();
        }
    }

    /**
     * One attempt: write and fsync the batch. A file closed under the journal (an interrupt) is
     * no outage: it is reopened and the batch written again, at once. Any other failure gets one
     * more try after cutting the file back to what is durable, then is reported to the waiters.
     */
    private void writeDurably(long skip, List<Queued> batch) throws IOException {
        for (int tries = 1; ; tries++) {
            try {
                if (dirty) {
                    reopen();
                }
                writeAndSync(skip, batch);
                dirty = false;
                return;
            } catch (ClosedChannelException e) {
                dirty = true;
                if (tries == 1 || tries % 100 == 0) {
                    log.warn("Audit journal {}: its file was closed under it ({}); reopening it", current.file(), e.toString());
                }
                if (tries >= 1_000) {
                    throw e;
                }
            } catch (IOException | RuntimeException e) {
                dirty = true;
                if (tries >= 2) {
                    throw e;
                }
            }
        }
    }

    /** Writes the entries after the last one in the file and fsyncs them; skips numbers first if asked. */
    private void writeAndSync(long skip, List<Queued> batch) throws IOException {
        Thread.interrupted(); // nobody interrupts this thread on purpose; a stray interrupt must not close the channel
        if (skip > writtenSeq) {
            startSegment(skip + 1);
        }
        if (batch.isEmpty()) {
            return;
        }
        for (Queued q : batch) {
            if (q.seq() <= writtenSeq) {
                continue;
            }
            ByteBuffer bytes = q.bytes().duplicate();
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            writtenSeq = q.seq();
        }
        // Closed segments were fsync'd when they were closed.
        channel.force(false);
        durableSize = channel.size();
        durableSeq = writtenSeq;
    }

    /** After a failure: a channel that is open again and holds exactly the durable entries. */
    private void reopen() throws IOException {
        Thread.interrupted();
        if (!channel.isOpen()) {
            channel = FileChannel.open(current.file(), StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            reopens.incrementAndGet();
        }
        // Written but not fsync'd may be lost or torn: cut back to what is durable and write the rest again.
        if (channel.size() > durableSize) {
            channel.truncate(durableSize);
        }
        writtenSeq = durableSeq;
    }

    private void synced(List<Queued> batch, long skip) {
        state.lock();
        try {
            if (skip != 0 && skipTo == skip) {
                skipTo = 0;
            }
            for (int i = 0; i < batch.size(); i++) {
                queued.poll();
            }
            if (!batch.isEmpty()) {
                syncedSeq = Math.max(syncedSeq, batch.get(batch.size() - 1).seq());
            }
            progress.signalAll();
        } finally {
            state.unlock();
        }
    }

    private void failed(List<Queued> batch, Throwable e, boolean firstOfOutage) {
        state.lock();
        try {
            failures++;
            failedSeq = batch.isEmpty() ? syncedSeq : batch.get(batch.size() - 1).seq();
            failure = e instanceof Exception ex ? ex : new IllegalStateException(e);
            progress.signalAll();
        } finally {
            state.unlock();
        }
        if (firstOfOutage) {
            log.error("Audit journal {}: could not write {} records ({}); retrying, and confirming nothing that waits for them meanwhile",
                    dir, batch.size(), e.toString());
        }
    }

    /** Drops segments PostgreSQL has all of, and begins a new segment when the current one is full. */
    private void dropShipped(long ship) {
        if (ship == 0) {
            return;
        }
        try {
            if (channel.size() >= segmentSize) {
                startSegment(writtenSeq + 1);
            }
            while (!closed.isEmpty()) {
                Segment oldest = closed.get(0);
                long nextFirst = closed.size() > 1 ? closed.get(1).firstSeq() : current.firstSeq();
                if (nextFirst - 1 > ship) {
                    break;
                }
                Files.deleteIfExists(oldest.file());
                closed.remove(0);
            }
        } catch (IOException | RuntimeException e) {
            log.warn("Could not drop shipped audit journal segments: {}", e.toString());
        }
        state.lock();
        try {
            shippedHandled = Math.max(shippedHandled, ship);
            progress.signalAll();
        } finally {
            state.unlock();
        }
    }

    /** Sleeps without being cut short by an interrupt (this thread's I/O must not see one). */
    private static void pause(long nanos) {
        long deadline = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
            Thread.interrupted();
        }
    }

    private static IOException asIOException(Exception e) {
        return e instanceof IOException io ? io : new IOException(String.valueOf(e), e);
    }

    // ---- opening ------------------------------------------------------------------------

    /** Checks the segments, cuts off a torn tail, and continues numbering after the last entry. */
    private void recover() throws IOException {
        List<Segment> segments = segments(dir);
        long[] lastEntry = {0};
        for (int i = 0; i < segments.size(); i++) {
            Segment segment = segments.get(i);
            boolean last = i == segments.size() - 1;
            try (FileChannel in = FileChannel.open(segment.file(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                long end = readEntries(in, segment, entry -> lastEntry[0] = entry.seq());
                if (end < in.size()) {
                    if (last) {
                        // A write cut off by a crash: its fsync never returned, so no client was told.
                        log.warn("Audit journal {}: cutting off {} bytes of an incomplete record at the end", segment.file(),
                                in.size() - end);
                        in.truncate(end);
                        in.force(true);
                    } else {
                        log.error("Audit journal {}: {} unreadable bytes after offset {} (damaged storage?); "
                                + "the records after them in this segment are lost", segment.file(), in.size() - end, end);
                    }
                }
            }
            if (!last) {
                closed.add(segment);
            }
        }
        // After the last entry; a segment begun after everything before it was shipped and dropped
        // may be empty, and then names the next number itself.
        long next = lastEntry[0] + 1;
        if (!segments.isEmpty()) {
            next = Math.max(next, segments.get(segments.size() - 1).firstSeq());
        }
        if (segments.isEmpty()) {
            startSegment(next);
        } else {
            current = segments.get(segments.size() - 1);
            channel = FileChannel.open(current.file(), StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            durableSize = channel.size();
        }
        lastSeq = next - 1;
        syncedSeq = lastSeq;
        writtenSeq = lastSeq;
        durableSeq = lastSeq;
    }

    /** Reads valid entries from the start of a segment; returns the offset where they end. */
    private static long readEntries(FileChannel in, Segment segment, Consumer<Entry> into) throws IOException {
        long position = 0;
        long expected = segment.firstSeq();
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        while (true) {
            header.clear();
            if (readFully(in, header, position) < HEADER) {
                return position;
            }
            header.flip();
            int length = header.getInt();
            int crc = header.getInt();
            long seq = header.getLong();
            if (length < 0 || length > MAX_ENTRY || seq != expected) {
                return position;
            }
            ByteBuffer payload = ByteBuffer.allocate(length);
            if (readFully(in, payload, position + HEADER) < length) {
                return position;
            }
            if (crc != checksum(seq, payload.array())) {
                return position;
            }
            AuditEvent event;
            try {
                event = AuditEventCodec.decode(payload.array());
            } catch (IOException | RuntimeException e) {
                return position;
            }
            into.accept(new Entry(seq, event));
            position += HEADER + length;
            expected++;
        }
    }

    private static int readFully(FileChannel in, ByteBuffer buffer, long position) throws IOException {
        int total = 0;
        while (buffer.hasRemaining()) {
            int n = in.read(buffer, position + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    /**
     * Begins the segment whose first entry will be {@code firstSeq}; the current one (everything
     * in it durable) is closed and kept until it is shipped.
     */
    private void startSegment(long firstSeq) throws IOException {
        Path file = dir.resolve(String.format("%s%020d%s", PREFIX, firstSeq, SUFFIX));
        FileChannel next = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        forceDirectory(dir); // the new file's name survives a power cut too
        if (channel != null) {
            channel.close();
            closed.add(current);
        }
        channel = next;
        current = new Segment(firstSeq, file);
        writtenSeq = firstSeq - 1;
        durableSeq = writtenSeq;
        durableSize = 0;
    }

    private static List<Segment> segments(Path dir) throws IOException {
        List<Segment> segments = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return segments;
        }
        try (var files = Files.list(dir)) {
            files.forEach(f -> {
                String name = f.getFileName().toString();
                if (name.startsWith(PREFIX) && name.endsWith(SUFFIX)) {
                    try {
                        segments.add(new Segment(Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length())), f));
                    } catch (NumberFormatException e) {
                        log.warn("Audit journal: ignoring {}", f);
                    }
                }
            });
        }
        segments.sort((a, b) -> Long.compare(a.firstSeq(), b.firstSeq()));
        return segments;
    }

    private static UUID readOrCreateId(Path dir) throws IOException {
        Path file = dir.resolve(ID_FILE);
        if (Files.exists(file)) {
            return UUID.fromString(Files.readString(file, StandardCharsets.US_ASCII).trim());
        }
        UUID id = UUID.randomUUID();
        Path temp = dir.resolve(ID_FILE + ".tmp");
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            out.write(ByteBuffer.wrap((id + "\n").getBytes(StandardCharsets.US_ASCII)));
            out.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(dir);
        return id;
    }

    private static void forceDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Not every file system lets a directory be opened; the entries' own fsyncs still hold.
            log.debug("Could not fsync the directory {}: {}", dir, e.toString());
        }
    }

    // ---- format -------------------------------------------------------------------------

    private static ByteBuffer entry(long seq, byte[] payload) {
        ByteBuffer entry = ByteBuffer.allocate(HEADER + payload.length);
        entry.putInt(payload.length).putInt(checksum(seq, payload)).putLong(seq).put(payload);
        return entry.flip();
    }

    private static int checksum(long seq, byte[] payload) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(8).putLong(0, seq));
        crc.update(payload);
        return (int) crc.getValue();
    }
}
