package dev.ferry.audit;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * The binary form of an {@link AuditEvent} in the {@link AuditJournal} (and in
 * {@code audit_quarantine.raw}): a version byte, then the fields in the record's order. The
 * timestamp (seconds and nanoseconds) and the type are never null and written as they are; every
 * other field as a presence flag and its value. Strings use Java's modified UTF-8, so any text
 * survives the round trip exactly (the chain hash depends on it).
 * <p>
 * The version byte is that of the latest field ({@link Stored#since}): a record is read with the
 * fields of its version, and fields added after it are null. Journals left by an earlier version
 * are so shipped by the next one.
 */
final class AuditEventCodec {

    private AuditEventCodec() {
    }

    static byte[] encode(AuditEvent e) {
        return encode(AuditFields.EVENT, e);
    }

    static AuditEvent decode(byte[] payload) throws IOException {
        return decode(AuditFields.EVENT, payload);
    }

    static <R extends Record> byte[] encode(AuditFields<R> fields, R record) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(fields.version());
            for (AuditFields.Field f : fields.all()) {
                write(out, f, f.of(record));
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    static <R extends Record> R decode(AuditFields<R> fields, byte[] payload) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
        int version = in.readUnsignedByte();
        if (version < 1 || version > fields.version()) {
            throw new IOException("unknown audit journal record version " + version);
        }
        Object[] values = new Object[fields.all().size()];
        for (int i = 0; i < values.length; i++) {
            AuditFields.Field f = fields.all().get(i);
            values[i] = f.since() <= version ? read(in, f) : null;
        }
        if (in.available() != 0) {
            throw new IOException("trailing bytes after an audit journal record");
        }
        return fields.create(values);
    }

    /** The timestamp and the type: never null, no presence flag (as the first version wrote them). */
    private static boolean bare(AuditFields.Field f) {
        return f.type() == Instant.class || f.type() == AuditType.class;
    }

    private static void write(DataOutputStream out, AuditFields.Field f, Object value) throws IOException {
        if (!bare(f)) {
            out.writeBoolean(value != null);
            if (value == null) {
                return;
            }
        }
        switch (f.kind()) {
            case TIME -> {
                out.writeLong(((Instant) value).getEpochSecond());
                out.writeInt(((Instant) value).getNano());
            }
            case ENUM -> out.writeUTF(((Enum<?>) value).name());
            case NUMBER -> out.writeLong((Long) value);
            case TEXT -> out.writeUTF((String) value);
        }
    }

    private static Object read(DataInputStream in, AuditFields.Field f) throws IOException {
        if (!bare(f) && !in.readBoolean()) {
            return null;
        }
        return switch (f.kind()) {
            case TIME -> Instant.ofEpochSecond(in.readLong(), in.readInt());
            case ENUM -> f.enumOf(in.readUTF());
            case NUMBER -> in.readLong();
            case TEXT -> in.readUTF();
        };
    }
}
