package dev.ferry.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What earlier versions wrote stays readable and verifiable: the hash input's layout of a record
 * (existing databases are verified with it) and the journal's encoding (a journal left by the
 * previous version is shipped by the next one). The fixtures in
 * {@code src/test/resources/audit/written-by-0c8715b} were written by Ferry 0c8715b's own code.
 */
class AuditCompatibilityTest {

    static final Path WRITTEN_BY_0C8715B = Path.of("src/test/resources/audit/written-by-0c8715b");

    @TempDir
    Path dir;

    /** Two records as 0c8715b chained them, every kind of value among them (no value, unicode, escaped control characters, the largest number). */
    static List<AuditEvent> vectors() {
        Instant t = Instant.parse("2026-12-01T08:00:00Z");
        return List.of(
                new AuditEvent(t.plusNanos(123_456_000), AuditType.UPLOAD, "vector", "2001:db8::1", "a1b2c3d4",
                        "/inbox/\u00e9t\u00e9 \u4e2d\uD83D\uDE00.csv", null, 4096L, 17L, "ab".repeat(32), AuditStatus.OK, null, null, null,
                        "\"0123456789abcdef\"", "v-1"),
                new AuditEvent(t.plusSeconds(1).plusNanos(100_000), AuditType.RENAME, "vector", null, null, "/a, \"quoted\"",
                        "/b\\u000aline", 0L, Long.MAX_VALUE, null, AuditStatus.FAILED, "No such file\\u0000", null, null, null, null));
    }

    @Test
    void theHashOfARecordIsTheOneVersion0c8715bComputed() {
        List<AuditEvent> records = vectors();
        String first = AuditChain.hash(AuditChain.GENESIS, records.get(0));
        assertThat(first).isEqualTo("1c85442c0d97cfe426eaa2934df3f5fdfd137c796c6eaac21b7d984a8e62ec12");
        assertThat(AuditChain.hash(first, records.get(1))).isEqualTo("2bd3b234730e9dc42c04fd381cd43e68b30ec6c4ce18d10c012cc862448786b8");
    }

    @Test
    void aJournalWrittenBy0c8715bReadsBackEveryField() throws IOException {
        List<AuditJournal.Entry> entries = AuditJournal.read(copyOfTheJournalWrittenBy0c8715b(dir));
        assertThat(entries).extracting(AuditJournal.Entry::seq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
        Instant t = Instant.parse("2026-12-01T08:00:00Z");
        String who = "legacy-journal";
        assertThat(entries.subList(0, 6)).extracting(AuditJournal.Entry::event).containsExactly(
                new AuditEvent(t, AuditType.LOGIN, who, "203.0.113.7", "a1b2c3d4", null, null, null, null, null, AuditStatus.OK, "publickey",
                        "SHA256:Xx0aBcD", "SSH-2.0-OpenSSH_9.2p1 Debian-2", null, null),
                new AuditEvent(t.plusNanos(123_456_000), AuditType.UPLOAD, who, "2001:db8::1", "a1b2c3d4",
                        "/inbox/\u00e9t\u00e9 \u4e2d\uD83D\uDE00.csv", null, 4096L, 17L, "ab".repeat(32), AuditStatus.OK, null, null, null,
                        "\"0123456789abcdef\"", "v-1"),
                new AuditEvent(t.plusSeconds(1).plusNanos(100_000), AuditType.RENAME, who, null, null, "/a, \"quoted\"", "/b\\u000aline",
                        0L, Long.MAX_VALUE, null, AuditStatus.FAILED, "No such file\\u0000", null, null, null, null),
                new AuditEvent(t.plusSeconds(2), AuditType.DENIED, who, "127.0.0.1", "s", "=1+1", null, null, null, null, AuditStatus.DENIED,
                        "'upload' is not granted on /ro", null, null, null, null),
                new AuditEvent(t.plusSeconds(3), AuditType.ADMIN, "admin", "127.0.0.1", null, "/api/v1/users/" + who, null, null, null,
                        null, AuditStatus.OK, "created user " + who, null, null, null, null),
                new AuditEvent(t.plusSeconds(4).plusNanos(999_999_000), AuditType.LOGIN_FAILED, "nul\\u0000user\\u202e", "198.51.100.1",
                        null, null, null, null, null, null, AuditStatus.FAILED, "authentication failed", null, "SSH-2.0-paramiko_3.4.0", null,
                        null));
        AuditEvent logout = entries.get(6).event();
        assertThat(logout.type()).isEqualTo(AuditType.LOGOUT);
        assertThat(logout.username()).isEqualTo(who);
        assertThat(logout.status()).isEqualTo(AuditStatus.OK);
    }

    /** The journal directory 0c8715b left (its id and one segment of 7 records, none shipped), copied to {@code into}. */
    static Path copyOfTheJournalWrittenBy0c8715b(Path into) throws IOException {
        Path journal = Files.createDirectories(into.resolve("journal"));
        try (Stream<Path> files = Files.list(WRITTEN_BY_0C8715B.resolve("journal"))) {
            for (Path f : files.toList()) {
                Files.copy(f, journal.resolve(f.getFileName()));
            }
        }
        return journal;
    }
}
