package dev.ferry.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local audit journal on a real file system: what survives a reopen, a torn write, and shipping. */
class AuditJournalTest {

    @TempDir
    Path dir;

    static AuditEvent upload(int i) {
        return AuditEvent.of(AuditType.UPLOAD).withUser("acme", "203.0.113.7", "s" + i).withPaths("/inbox/f" + i + ".csv", null)
                .withTransfer(4096L + i, 3L, "ab".repeat(32));
    }

    @Test
    void everyFieldSurvivesTheRoundTripExactlySoTheChainHashStaysTheSame() throws IOException {
        AuditEvent full = new AuditEvent(Instant.parse("2026-12-06T10:15:30.123456Z"), AuditType.RENAME, "ünïcødé", "2001:db8::1",
                "sess", "/a/\u00e9\u4e2d\uD83D\uDE00", "/b", 0L, Long.MAX_VALUE, null, AuditStatus.FAILED, "detail\nwith\u0000nul",
                "SHA256:x", "SSH-2.0-OpenSSH_9.2", "\"etag\"", "v1");
        AuditEvent sparse = AuditEvent.of(AuditType.LOGIN);
        try (AuditJournal journal = AuditJournal.open(dir)) {
            journal.sync(journal.append(full));
            journal.sync(journal.append(sparse));
        }
        List<AuditJournal.Entry> read = AuditJournal.read(dir);
        assertThat(read).extracting(AuditJournal.Entry::event).containsExactly(full, sparse);
        assertThat(AuditChain.hash(AuditChain.GENESIS, read.get(0).event())).isEqualTo(AuditChain.hash(AuditChain.GENESIS, full));
    }

    @Test
    void aReopenedJournalKeepsItsIdentityAndNumberingAndOffersWhatWasNotShipped() throws IOException {
        UUID id;
        try (AuditJournal journal = AuditJournal.open(dir)) {
            id = journal.id();
            for (int i = 1; i <= 5; i++) {
                assertThat(journal.append(upload(i))).isEqualTo(i);
            }
            journal.sync(5);
        }
        try (AuditJournal journal = AuditJournal.open(dir)) {
            assertThat(journal.id()).isEqualTo(id);
            assertThat(journal.unshipped(3)).extracting(AuditJournal.Entry::seq).containsExactly(4L, 5L);
            assertThat(journal.unshipped(3).get(0).event().sessionId()).isEqualTo("s4");
            assertThat(journal.unshipped(5)).isEmpty();
            assertThat(journal.append(upload(6))).isEqualTo(6);
        }
    }

    @Test
    void aRecordTornByACrashIsCutOffAndTheNextOneTakesItsNumber() throws IOException {
        Path segment = twoRecordsSynced();
        long intact = Files.size(segment);
        // The start of a third record, as a crash in the middle of its write leaves it.
        try (FileChannel out = FileChannel.open(segment, StandardOpenOption.APPEND)) {
            out.write(ByteBuffer.wrap(new byte[] {0, 0, 1, 0, 0x12, 0x34, 0, 0, 0, 0, 0, 0, 0, 3, 1, 0}));
        }
        try (AuditJournal journal = AuditJournal.open(dir)) {
            assertThat(Files.size(segment)).as("cut back to the intact records").isEqualTo(intact);
            assertThat(journal.unshipped(0)).hasSize(2);
            journal.sync(journal.append(upload(3)));
        }
        assertThat(AuditJournal.read(dir)).extracting(AuditJournal.Entry::seq).containsExactly(1L, 2L, 3L);
    }

    @Test
    void aRecordWithAFlippedBitEndsTheReadableJournal() throws IOException {
        Path segment = twoRecordsSynced();
        byte[] bytes = Files.readAllBytes(segment);
        bytes[bytes.length - 5] ^= 0x01;   // inside the second record's payload
        Files.write(segment, bytes);
        assertThat(AuditJournal.read(dir)).extracting(AuditJournal.Entry::seq).containsExactly(1L);
    }

    @Test
    void aJournalInUseCannotBeOpenedAgain() throws IOException {
        try (AuditJournal journal = AuditJournal.open(dir)) {
            assertThatThrownBy(() -> AuditJournal.open(dir)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("in use by another Ferry process");
        }
        // Closed, it is free again.
        AuditJournal.open(dir).close();
    }

    @Test
    void shippedSegmentsAreDroppedAndNumberingContinuesAcrossAnEmptyNewSegment() throws IOException {
        try (AuditJournal journal = AuditJournal.open(dir, 1024)) {
            for (int i = 1; i <= 40; i++) {
                journal.append(upload(i));
                if (i % 10 == 0) {
                    journal.sync(i);
                    journal.shipped(i - 5); // shipping lags behind the appends
                }
            }
            journal.settle();
            assertThat(segments()).as("segments still holding unshipped records are kept").hasSizeGreaterThan(1);
            journal.shipped(40);
            journal.settle();
            assertThat(segments()).as("only the new, empty segment").hasSize(1);
            assertThat(Files.size(segments().get(0))).isZero();
        }
        try (AuditJournal journal = AuditJournal.open(dir, 1024)) {
            assertThat(journal.unshipped(0)).isEmpty();
            assertThat(journal.append(upload(41))).as("numbering continues after the dropped segments").isEqualTo(41);
            journal.sync(41);
        }
        assertThat(AuditJournal.read(dir)).extracting(AuditJournal.Entry::seq).containsExactly(41L);
    }

    @Test
    void everyAppendedRecordIsReadBackAfterConcurrentAppendsAndSyncs() throws Exception {
        int threads = 8;
        int each = 200;
        try (AuditJournal journal = AuditJournal.open(dir, 64 * 1024)) {
            List<Thread> writers = Stream.iterate(0, t -> t + 1).limit(threads).map(t -> new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    journal.sync(journal.append(upload(t * each + i)));
                }
            })).toList();
            writers.forEach(Thread::start);
            for (Thread w : writers) {
                w.join();
            }
        }
        List<AuditJournal.Entry> read = AuditJournal.read(dir);
        assertThat(read).hasSize(threads * each);
        assertThat(read).extracting(AuditJournal.Entry::seq).isSorted().doesNotHaveDuplicates();
        assertThat(read.stream().map(e -> e.event().sessionId()).distinct().count()).isEqualTo(threads * each);
    }

    /**
     * MINA interrupts an SFTP session's thread when its client goes away, and a FileChannel that
     * thread writes or fsyncs is then closed for everyone. Callers with their interrupt flag set
     * (or interrupted while they wait) append and sync: every record is durable, each caller keeps
     * its interrupt status, later appends work and the directory stays locked.
     */
    @Test
    void interruptedCallersNeitherFailNorCloseTheJournalForOthers() throws Exception {
        int threads = 6;
        int each = 100;
        try (AuditJournal journal = AuditJournal.open(dir, 64 * 1024)) {
            java.util.concurrent.ConcurrentLinkedQueue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
            List<Thread> callers = Stream.iterate(0, t -> t + 1).limit(threads).map(t -> new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    Thread.currentThread().interrupt(); // as a session thread whose client just went away
                    try {
                        journal.sync(journal.append(upload(t * each + i)));
                        if (!Thread.interrupted()) {
                            failures.add(new AssertionError("the caller's interrupt status was lost"));
                        }
                    } catch (RuntimeException e) {
                        failures.add(e);
                    }
                }
            })).toList();
            callers.forEach(Thread::start);
            // And interrupts that arrive while they wait for the fsync.
            for (int round = 0; round < 2_000 && callers.stream().anyMatch(Thread::isAlive); round++) {
                callers.forEach(Thread::interrupt);
                Thread.onSpinWait();
            }
            for (Thread c : callers) {
                c.join();
            }
            assertThat(failures).isEmpty();
            long later = journal.append(upload(9_999));
            journal.sync(later);
            assertThat(journal.holdsLock()).as("the directory's lock is still held").isTrue();
            assertThatThrownBy(() -> AuditJournal.open(dir)).hasMessageContaining("in use by another Ferry process");
        }
        List<AuditJournal.Entry> read = AuditJournal.read(dir);
        assertThat(read).hasSize(threads * each + 1);
        assertThat(read).extracting(AuditJournal.Entry::seq).isSorted().doesNotHaveDuplicates();
    }

    /**
     * Should the journal's own file be closed anyway (here: its thread interrupted again and again
     * in the middle of writes and fsyncs), the journal reopens it, cuts it back to what was
     * durable and writes the rest again: nothing lost, nothing twice, nothing torn.
     */
    @Test
    void aJournalWhoseFileIsClosedUnderItReopensItAndLosesNothing() throws Exception {
        int threads = 4;
        int each = 300;
        try (AuditJournal journal = AuditJournal.open(dir, 256 * 1024)) {
            Thread journalThread = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("audit-journal " + dir.toAbsolutePath().normalize())).findFirst().orElseThrow();
            java.util.concurrent.ConcurrentLinkedQueue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
            List<Thread> callers = Stream.iterate(0, t -> t + 1).limit(threads).map(t -> new Thread(() -> {
                try {
                    for (int i = 0; i < each; i++) {
                        journal.sync(journal.append(upload(t * each + i)));
                    }
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            })).toList();
            callers.forEach(Thread::start);
            while (callers.stream().anyMatch(Thread::isAlive)) {
                journalThread.interrupt();
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            for (Thread c : callers) {
                c.join();
            }
            assertThat(failures).as("no caller was told its record failed").isEmpty();
            assertThat(journal.reopens()).as("the interrupts closed the file at least once").isPositive();
            journal.sync(journal.append(upload(99_999)));
            assertThat(journal.holdsLock()).isTrue();
        }
        List<AuditJournal.Entry> read = AuditJournal.read(dir);
        assertThat(read).hasSize(threads * each + 1);
        assertThat(read).extracting(AuditJournal.Entry::seq).isSorted().doesNotHaveDuplicates();
        assertThat(read.stream().map(e -> e.event().sessionId()).distinct().count()).isEqualTo(threads * each + 1);
    }

    /**
     * Records reach PostgreSQL from memory, so its shipped mark can be ahead of a journal a crash
     * cut short: numbering continues after the mark, never under it.
     */
    @Test
    void numberingContinuesAfterAShippedMarkBeyondTheJournal() throws IOException {
        twoRecordsSynced();
        try (AuditJournal journal = AuditJournal.open(dir)) {
            assertThat(journal.unshipped(10)).isEmpty();
            journal.continueAfter(10);
            long next = journal.append(upload(3));
            assertThat(next).isEqualTo(11);
            journal.sync(next);
        }
        assertThat(AuditJournal.read(dir)).extracting(AuditJournal.Entry::seq).containsExactly(1L, 2L, 11L);
        try (AuditJournal journal = AuditJournal.open(dir)) {
            assertThat(journal.unshipped(10)).extracting(AuditJournal.Entry::seq).containsExactly(11L);
            assertThat(journal.append(upload(4))).isEqualTo(12);
        }
    }

    /** A journal with records 1 and 2, both durable; returns its one segment. */
    private Path twoRecordsSynced() throws IOException {
        try (AuditJournal journal = AuditJournal.open(dir)) {
            journal.append(upload(1));
            journal.sync(journal.append(upload(2)));
        }
        return onlySegment();
    }

    private Path onlySegment() throws IOException {
        List<Path> segments = segments();
        assertThat(segments).hasSize(1);
        return segments.get(0);
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("segment-")).sorted().toList();
        }
    }
}
