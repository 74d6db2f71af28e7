package dev.ferry.audit;

import dev.ferry.shared.Sha256;

/**
 * The hash that chains a record to the one before it: SHA-256 over the previous hash and every
 * field of the record, so changing any field or removing a record breaks the chain after it.
 * <p>
 * The input is the previous hash, then each field Ferry started with (version 1 of
 * {@link Stored#since}) in the record's order, as text after a unit separator, a NUL for none.
 * Databases written since then are verified with exactly this layout, so it never changes. A
 * field added later adds {@code <separator>name=value} only when it has a value: records written
 * before it existed (and so without it) keep their hash, and a later record's value is covered.
 */
final class AuditChain {

    static final String GENESIS = "0".repeat(64);
    private static final char SEPARATOR = '\u001f';
    private static final String NULL = "\u0000";

    private AuditChain() {
    }

    static String hash(String previous, AuditEvent e) {
        return hash(previous, AuditFields.EVENT, e);
    }

    static <R extends Record> String hash(String previous, AuditFields<R> fields, R record) {
        StringBuilder s = new StringBuilder(512).append(previous);
        for (AuditFields.Field f : fields.all()) {
            String value = text(f, f.of(record));
            if (f.since() == 1) {
                s.append(SEPARATOR).append(value == null ? NULL : value);
            } else if (value != null) {
                s.append(SEPARATOR).append(f.name()).append('=').append(value);
            }
        }
        return Sha256.hex(s.toString());
    }

    private static String text(AuditFields.Field f, Object value) {
        if (value == null) {
            return null;
        }
        return switch (f.kind()) {
            case TIME, NUMBER, TEXT -> value.toString();
            case ENUM -> ((Enum<?>) value).name();
        };
    }
}
