package dev.ferry.audit;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * The binary form of an {@link AuditEvent} in the {@link AuditJournal}: a version byte, the
 * timestamp, the type, then every nullable field as a presence flag and its value. Strings use
 * Java's modified UTF-8, so any text survives the round trip exactly (the chain hash depends on it).
 */
final class AuditEventCodec {

    private static final int VERSION = 1;

    private AuditEventCodec() {
    }

    static byte[] encode(AuditEvent e) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeLong(e.timestamp().getEpochSecond());
            out.writeInt(e.timestamp().getNano());
            out.writeUTF(e.type().name());
            string(out, e.username());
            string(out, e.remoteAddress());
            string(out, e.sessionId());
            string(out, e.path());
            string(out, e.targetPath());
            number(out, e.bytes());
            number(out, e.durationMs());
            string(out, e.sha256());
            string(out, e.status());
            string(out, e.detail());
            string(out, e.keyFingerprint());
            string(out, e.clientVersion());
            string(out, e.etag());
            string(out, e.versionId());
        } catch (IOException ex) {
            throw new UncheckedIOException(ex); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    static AuditEvent decode(byte[] payload) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
        int version = in.readUnsignedByte();
        if (version != VERSION) {
            throw new IOException("unknown audit journal record version " + version);
        }
        Instant timestamp = Instant.ofEpochSecond(in.readLong(), in.readInt());
        AuditType type = AuditType.valueOf(in.readUTF());
        AuditEvent event = new AuditEvent(timestamp, type, string(in), string(in), string(in), string(in), string(in), number(in),
                number(in), string(in), string(in), string(in), string(in), string(in), string(in), string(in));
        if (in.available() != 0) {
            throw new IOException("trailing bytes after an audit journal record");
        }
        return event;
    }

    private static void string(DataOutputStream out, String value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeUTF(value);
        }
    }

    private static void number(DataOutputStream out, Long value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeLong(value);
        }
    }

    private static String string(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    private static Long number(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readLong() : null;
    }
}
