package dev.ferry.audit;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
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
    /** A segment is closed and a new one begun past this size; it is dropped once all of it is shipped. */
    static final long SEGMENT_SIZE = 16L * 1024 * 1024;

    /** An entry read back from the journal. */
    record Entry(long seq, AuditEvent event) {
    }

    private record Segment(long firstSeq, Path file) {
    }

    private final Path dir;
    private final long segmentSize;
    private final UUID id;
    private final FileChannel lockChannel;
    private final FileLock lock;
    /** Segments before the current one, oldest first, each forced when it was closed. */
    private final List<Segment> closed = new ArrayList<>();

    /** Guards appends: sequence numbers are given out in file order. */
    private final Object appending = new Object();
    /** Taken before {@link #appending} where both are needed: one fsync at a time. */
    private final Object syncing = new Object();
    private Segment current;
    private FileChannel channel;
    private long lastSeq;
    private volatile long syncedSeq;

    private AuditJournal(Path dir, long segmentSize, UUID id, FileChannel lockChannel, FileLock lock) throws IOException {
        this.dir = dir;
        this.segmentSize = segmentSize;
        this.id = id;
        this.lockChannel = lockChannel;
        this.lock = lock;
        recover();
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

    /** Entries with a sequence number above {@code shippedSeq}, in order (read at start, before any append). */
    List<Entry> unshipped(long shippedSeq) throws IOException {
        return readAfter(dir, shippedSeq);
    }

    /** Appends an event (not yet durable: see {@link #sync}) and returns its sequence number. */
    long append(AuditEvent event) {
        byte[] payload = AuditEventCodec.encode(event);
        if (payload.length > MAX_ENTRY) {
            throw new IllegalArgumentException("audit record too large for the journal: " + payload.length + " bytes");
        }
        synchronized (appending) {
            long seq = lastSeq + 1;
            ByteBuffer entry = entry(seq, payload);
            try {
                while (entry.hasRemaining()) {
                    channel.write(entry);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("could not write the audit journal " + current.file(), e);
            }
            lastSeq = seq;
            return seq;
        }
    }

    /**
     * Returns once every entry up to {@code seq} is on stable storage. Callers that arrive while
     * an fsync runs share the next one (group commit).
     */
    void sync(long seq) {
        if (syncedSeq >= seq) {
            return;
        }
        synchronized (syncing) {
            if (syncedSeq >= seq) {
                return;
            }
            long upTo;
            FileChannel toForce;
            synchronized (appending) {
                upTo = lastSeq;
                toForce = channel;
            }
            try {
                // Closed segments were forced when they were closed; segments change only under `syncing`.
                toForce.force(false);
            } catch (IOException e) {
                throw new UncheckedIOException("could not sync the audit journal " + current.file(), e);
            }
            syncedSeq = upTo;
        }
    }

    /**
     * Everything up to {@code seq} is in PostgreSQL: drops the segments that hold nothing newer,
     * and starts a new segment when the current one is big (it is dropped once shipped in turn).
     */
    void shipped(long seq) throws IOException {
        synchronized (syncing) {
            synchronized (appending) {
                if (channel.size() >= segmentSize) {
                    channel.force(false);
                    channel.close();
                    closed.add(current);
                    syncedSeq = Math.max(syncedSeq, lastSeq);
                    startSegment(lastSeq + 1);
                }
            }
        }
        while (!closed.isEmpty()) {
            Segment oldest = closed.get(0);
            long nextFirst = closed.size() > 1 ? closed.get(1).firstSeq() : current.firstSeq();
            if (nextFirst - 1 > seq) {
                break;
            }
            Files.deleteIfExists(oldest.file());
            closed.remove(0);
        }
    }

    @Override
    public void close() throws IOException {
        synchronized (syncing) {
            synchronized (appending) {
                try {
                    if (channel != null && channel.isOpen()) {
                        channel.force(false);
                        channel.close();
                    }
                } finally {
                    lock.release();
                    lockChannel.close();
                }
            }
        }
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
        }
        lastSeq = next - 1;
        syncedSeq = lastSeq;
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

    private void startSegment(long firstSeq) throws IOException {
        Path file = dir.resolve(String.format("%s%020d%s", PREFIX, firstSeq, SUFFIX));
        channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        current = new Segment(firstSeq, file);
        forceDirectory(dir); // the new file's name survives a power cut too
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
