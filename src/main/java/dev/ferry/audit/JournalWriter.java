package dev.ferry.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit journal's I/O thread, the only one that touches its segment files. A
 * {@link FileChannel} is interruptible: a thread interrupted during (or before) a write or fsync
 * closes the channel for every thread, and MINA interrupts an SFTP session's thread when its
 * client goes away; so callers only queue entries ({@link JournalQueue}). This thread writes
 * whatever has queued up and fsyncs once for all of it (group commit). Should its channel be
 * closed anyway (this thread interrupted, an I/O error), it reopens the segment, cuts it back to
 * what was durable and writes the rest again; entries leave the queue only once fsync'd. It also
 * begins new segments and drops those PostgreSQL has all of.
 */
final class JournalWriter {

    private static final Logger log = LoggerFactory.getLogger(JournalWriter.class);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final Path dir;
    private final long segmentSize;
    private JournalQueue queue;
    private final Thread thread;
    /** Times this thread found its file closed under it and reopened it. */
    private final AtomicLong reopens = new AtomicLong();

    /** Segments before the current one, oldest first, each fsync'd when it was closed. */
    private final List<JournalFormat.Segment> closed = new ArrayList<>();
    private JournalFormat.Segment current;
    private FileChannel channel;
    /** The last entry written to the current file; the last fsync'd one and the file's size after it. */
    private long writtenSeq;
    private long durableSeq;
    private long durableSize;
    /** A write failed: the file may be closed, or hold more than the durable entries. */
    private boolean dirty;

    /** Checks the segments, cuts off a torn tail and opens the last one; {@link #start} begins the thread. */
    JournalWriter(Path dir, long segmentSize) throws IOException {
        this.dir = dir;
        this.segmentSize = segmentSize;
        recover();
        this.thread = new Thread(this::run, "audit-journal " + dir);
        thread.setDaemon(true);
    }

    /** The last entry in the journal at open. */
    long lastSeq() {
        return writtenSeq;
    }

    void start(JournalQueue queue) {
        this.queue = queue;
        thread.start();
    }

    long reopens() {
        return reopens.get();
    }

    /** Waits up to {@code nanos} for the thread to end (after {@link JournalQueue#close}); returns whether it did. */
    boolean awaitEnd(long nanos) {
        boolean interrupted = false;
        long deadline = System.nanoTime() + nanos;
        while (thread.isAlive() && System.nanoTime() < deadline) {
            try {
                thread.join(TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 1);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }

    private void run() {
        long backoff = 0;
        for (JournalQueue.Work work = queue.next(); work != null; work = queue.next()) {
            try {
                writeDurably(work);
                if (backoff > 0) {
                    log.info("Audit journal {}: writing again", dir);
                    backoff = 0;
                }
                queue.synced(work);
            } catch (Exception | Error e) {
                queue.failed(work, e);
                if (backoff == 0) {
                    log.error("Audit journal {}: could not write {} records ({}); retrying, and confirming nothing that waits for them "
                            + "meanwhile", dir, work.batch().size(), e.toString());
                }
                if (queue.closing()) {
                    break;
                }
                backoff = backoff == 0 ? TimeUnit.MILLISECONDS.toNanos(50) : Math.min(backoff * 2, MAX_BACKOFF_NANOS);
                pause(backoff);
                continue;
            }
            dropShipped(work.ship());
        }
        try {
            if (channel != null && channel.isOpen()) {
                channel.force(false);
                channel.close();
            }
        } catch (IOException e) {
            log.warn("Could not close the audit journal {}: {}", current.file(), e.toString());
        }
        queue.finished();
    }

    /**
     * One attempt: write and fsync the work's entries. A file closed under the journal (an
     * interrupt) is no outage: it is reopened and the entries written again, at once. Any other
     * failure gets one more try after cutting the file back to what is durable, then is reported
     * to the waiters.
     */
    private void writeDurably(JournalQueue.Work work) throws IOException {
        for (int tries = 1; ; tries++) {
            try {
                if (dirty) {
                    reopen();
                }
                writeAndSync(work);
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
    private void writeAndSync(JournalQueue.Work work) throws IOException {
        Thread.interrupted(); // nobody interrupts this thread on purpose; a stray interrupt must not close the channel
        if (work.skip() > writtenSeq) {
            startSegment(work.skip() + 1);
        }
        if (work.batch().isEmpty()) {
            return;
        }
        for (JournalQueue.Queued q : work.batch()) {
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
                JournalFormat.Segment oldest = closed.get(0);
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
        queue.handled(ship);
    }

    /** Sleeps without being cut short by an interrupt (this thread's I/O must not see one). */
    private static void pause(long nanos) {
        long deadline = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
            Thread.interrupted();
        }
    }

    /** Checks the segments, cuts off a torn tail, and continues after the last entry. */
    private void recover() throws IOException {
        List<JournalFormat.Segment> segments = JournalFormat.segments(dir);
        long[] lastEntry = {0};
        for (int i = 0; i < segments.size(); i++) {
            JournalFormat.Segment segment = segments.get(i);
            boolean last = i == segments.size() - 1;
            try (FileChannel in = FileChannel.open(segment.file(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                long end = JournalFormat.readEntries(in, segment, entry -> lastEntry[0] = entry.seq());
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
        writtenSeq = next - 1;
        durableSeq = writtenSeq;
    }

    /**
     * Begins the segment whose first entry will be {@code firstSeq}; the current one (everything
     * in it durable) is closed and kept until it is shipped.
     */
    private void startSegment(long firstSeq) throws IOException {
        Path file = JournalFormat.segmentFile(dir, firstSeq);
        FileChannel next = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        JournalFormat.forceDirectory(dir); // the new file's name survives a power cut too
        if (channel != null) {
            channel.close();
            closed.add(current);
        }
        channel = next;
        current = new JournalFormat.Segment(firstSeq, file);
        writtenSeq = firstSeq - 1;
        durableSeq = writtenSeq;
        durableSize = 0;
    }
}
