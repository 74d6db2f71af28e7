package dev.ferry.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The one definition of the audit record ({@link AuditEvent}'s components) and what follows it:
 * each field, whatever it is, reaches the hash and survives the journal, text is cut to its
 * column, and a field added later leaves the records written before it verifiable and readable.
 * (The table, the API and the export are checked against it in {@code AuditTrailContract}.)
 */
class AuditFieldsTest {

    private static final AuditFields<AuditEvent> FIELDS = AuditFields.EVENT;

    /** The fields Ferry started with, in their order: the hash of every existing record depends on exactly this. */
    @Test
    void theFirstVersionsFieldsKeepTheirNamesColumnsAndOrder() {
        assertThat(FIELDS.all()).filteredOn(f -> f.since() == 1).extracting(AuditFields.Field::name).containsExactly("timestamp", "type",
                "username", "remoteAddress", "sessionId", "path", "targetPath", "bytes", "durationMs", "sha256", "status", "detail",
                "keyFingerprint", "clientVersion", "etag", "versionId");
        assertThat(FIELDS.columns()).startsWith("ts, type, username, remote_address, session_id, path, target_path, bytes, duration_ms, "
                + "sha256, status, detail, key_fingerprint, client_version, etag, version_id");
    }

    @Test
    void everyFieldReachesTheHashAndSurvivesTheJournal() throws IOException {
        AuditEvent base = full();
        String baseHash = AuditChain.hash(AuditChain.GENESIS, base);
        assertThat(AuditEventCodec.decode(AuditEventCodec.encode(base))).isEqualTo(base);
        for (int i = 0; i < FIELDS.all().size(); i++) {
            AuditFields.Field f = FIELDS.all().get(i);
            Object[] values = FIELDS.values(base);
            values[i] = other(f, values[i]);
            AuditEvent changed = FIELDS.create(values);
            assertThat(changed).as(f.name()).isNotEqualTo(base);
            assertThat(AuditChain.hash(AuditChain.GENESIS, changed)).as("hash after changing " + f.name()).isNotEqualTo(baseHash);
            assertThat(AuditEventCodec.decode(AuditEventCodec.encode(changed))).as(f.name()).isEqualTo(changed);
            if (f.kind() == AuditFields.Kind.NUMBER || f.kind() == AuditFields.Kind.TEXT) {
                values[i] = null;
                AuditEvent without = FIELDS.create(values);
                assertThat(AuditChain.hash(AuditChain.GENESIS, without)).as("hash without " + f.name()).isNotEqualTo(baseHash);
                assertThat(AuditEventCodec.decode(AuditEventCodec.encode(without))).as(f.name()).isEqualTo(without);
            }
        }
    }

    @Test
    void everyTextIsEscapedAndCutToItsColumn() {
        Object[] values = FIELDS.values(full());
        for (int i = 0; i < values.length; i++) {
            if (FIELDS.all().get(i).kind() == AuditFields.Kind.TEXT) {
                values[i] = "\n" + "x".repeat(5000);
            }
        }
        AuditEvent fitted = FIELDS.fitted(FIELDS.create(values));
        for (AuditFields.Field f : FIELDS.all()) {
            if (f.kind() == AuditFields.Kind.TEXT) {
                assertThat((String) f.of(fitted)).as(f.name()).hasSize(f.size()).startsWith("\\u000axx");
            }
        }
        // Never half a surrogate pair.
        AuditEvent emoji = FIELDS.fitted(AuditEvent.of(AuditType.LOGIN).withUser("x".repeat(63) + "\uD83D\uDE00", null, null));
        assertThat(emoji.username()).isEqualTo("x".repeat(63));
    }

    @Test
    void aRecordTypeWithAFieldThatCannotBeStoredIsRefusedAtOnce() {
        assertThatThrownBy(() -> new AuditFields<>(Unsized.class)).hasMessageContaining("Unsized.text cannot be stored");
    }

    record Unsized(Instant timestamp, String text) {
    }

    /**
     * {@link AuditEvent} with one more field, as a later version would add it: records written
     * without it keep their hash and are read from the journal, a record with it is covered by
     * its hash, and a record of the later format is refused by the earlier reader, never misread.
     */
    @Test
    void aFieldAddedLaterLeavesEarlierRecordsTheirHashAndEncoding() throws IOException {
        AuditFields<Later> later = new AuditFields<>(Later.class);
        assertThat(later.version()).isEqualTo(2);
        AuditEvent written = full();
        Later without = Later.of(written, null);
        Later with = Later.of(written, "acme-tenant");

        assertThat(AuditChain.hash(AuditChain.GENESIS, later, without)).isEqualTo(AuditChain.hash(AuditChain.GENESIS, written));
        assertThat(AuditChain.hash(AuditChain.GENESIS, later, with)).isNotEqualTo(AuditChain.hash(AuditChain.GENESIS, written));
        assertThat(AuditChain.hash(AuditChain.GENESIS, later, with))
                .isNotEqualTo(AuditChain.hash(AuditChain.GENESIS, later, Later.of(written, "other-tenant")));

        assertThat(AuditEventCodec.decode(later, AuditEventCodec.encode(written))).isEqualTo(without);
        byte[] newer = AuditEventCodec.encode(later, with);
        assertThat(newer[0]).isEqualTo((byte) 2);
        assertThat(AuditEventCodec.decode(later, newer)).isEqualTo(with);
        assertThatThrownBy(() -> AuditEventCodec.decode(newer)).isInstanceOf(IOException.class).hasMessageContaining("version 2");
    }

    record Later(Instant timestamp, AuditType type, @Stored(size = 64) String username, @Stored(size = 64) String remoteAddress,
            @Stored(size = 32) String sessionId, @Stored(size = 4096) String path, @Stored(size = 4096) String targetPath, Long bytes,
            Long durationMs, @Stored(size = 64) String sha256, AuditStatus status, @Stored(size = 4096) String detail,
            @Stored(size = 64) String keyFingerprint, @Stored(size = 255) String clientVersion, @Stored(size = 255) String etag,
            @Stored(size = 1024) String versionId, @Stored(size = 64, since = 2) String tenant) {

        static Later of(AuditEvent e, String tenant) {
            Object[] values = Arrays.copyOf(AuditFields.EVENT.values(e), AuditFields.EVENT.all().size() + 1);
            values[values.length - 1] = tenant;
            return new AuditFields<>(Later.class).create(values);
        }
    }

    /** A record with every field set. */
    static AuditEvent full() {
        return new AuditEvent(Instant.parse("2026-12-06T10:15:30.123456Z"), AuditType.RENAME, "ünïcødé", "2001:db8::1", "sess",
                "/a/\u00e9\u4e2d\uD83D\uDE00", "/b", 0L, Long.MAX_VALUE, "ab".repeat(32), AuditStatus.FAILED, "detail", "SHA256:x",
                "SSH-2.0-OpenSSH_9.2", "\"etag\"", "v1");
    }

    /** Another value for a field of this kind. */
    private static Object other(AuditFields.Field f, Object value) {
        return switch (f.kind()) {
            case TIME -> ((Instant) value).plusNanos(1000);
            case ENUM -> {
                List<?> constants = List.of(f.type().getEnumConstants());
                yield constants.get((constants.indexOf(value) + 1) % constants.size());
            }
            case NUMBER -> (Long) value - 1;
            case TEXT -> value + "'";
        };
    }
}
