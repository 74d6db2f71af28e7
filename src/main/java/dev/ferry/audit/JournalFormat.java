package dev.ferry.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
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
 * The audit journal's files, and reading them back. A directory holds {@code journal-id} (the
 * journal's UUID, the key of its shipped mark in PostgreSQL), {@code lock} (held while open) and
 * segments {@code segment-<first sequence number>.log} of entries
 * {@code [int length][int crc32c][long seq][event]} (the event as {@link AuditEventCodec} writes
 * it); the CRC covers seq and event. Reading stops at the first entry that is torn or damaged.
 */
final class JournalFormat {

    private static final Logger log = LoggerFactory.getLogger(JournalFormat.class);
    private static final String ID_FILE = "journal-id";
    private static final String PREFIX = "segment-";
    private static final String SUFFIX = ".log";
    private static final int HEADER = 4 + 4 + 8;
    static final int MAX_ENTRY = 1 << 20;

    /** A segment file and the number of its first entry. */
    record Segment(long firstSeq, Path file) {
    }

    private JournalFormat() {
    }

    /** An entry as it is written: header and payload. */
    static ByteBuffer entry(long seq, byte[] payload) {
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

    /** The entries of every segment in {@code dir} with a sequence number above {@code seq}, in order. */
    static List<AuditJournal.Entry> readAfter(Path dir, long seq) throws IOException {
        List<AuditJournal.Entry> entries = new ArrayList<>();
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

    /** Reads valid entries from the start of a segment; returns the offset where they end. */
    static long readEntries(FileChannel in, Segment segment, Consumer<AuditJournal.Entry> into) throws IOException {
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
            into.accept(new AuditJournal.Entry(seq, event));
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

    /** The file of the segment whose first entry is {@code firstSeq}. */
    static Path segmentFile(Path dir, long firstSeq) {
        return dir.resolve(String.format("%s%020d%s", PREFIX, firstSeq, SUFFIX));
    }

    /** The segments in {@code dir}, oldest first. */
    static List<Segment> segments(Path dir) throws IOException {
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

    /** The journal's identity, created (and made durable) with the directory's first use. */
    static UUID readOrCreateId(Path dir) throws IOException {
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

    /** Makes a new file's name in {@code dir} survive a power cut too. */
    static void forceDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Not every file system lets a directory be opened; the entries' own fsyncs still hold.
            log.debug("Could not fsync the directory {}: {}", dir, e.toString());
        }
    }
}
