package dev.ferry.audit;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.RecordComponent;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The fields of {@link AuditEvent}, read once from its record components: what the hash chain,
 * the journal's encoding, the SQL row, the search and the export iterate, so a field added to the
 * record reaches each of them without being spelled out again. Generic over the record type only
 * so that a test can check what a field added later does to records written before it.
 */
final class AuditFields<R extends Record> {

    static final AuditFields<AuditEvent> EVENT = new AuditFields<>(AuditEvent.class);

    /** What a field holds, and so how it is hashed, encoded, stored and exported. */
    enum Kind { TIME, ENUM, NUMBER, TEXT }

    /**
     * One field: its name (as in the API and the CSV header), its column, what it holds, the size
     * of its text column, and the version of the format that added it (see {@link Stored}).
     */
    record Field(String name, String column, Kind kind, Class<?> type, int size, int since, MethodHandle accessor) {

        Object of(Record record) {
            try {
                return (Object) accessor.invokeExact(record);
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }

        /** {@code ?}, with the cast PostgreSQL needs to type a null in a batch. */
        String placeholder() {
            return switch (kind) {
                case TIME -> "?::timestamptz";
                case NUMBER -> "?::bigint";
                case ENUM, TEXT -> "?";
            };
        }

        Object toSql(Object value) {
            return switch (kind) {
                case TIME -> Timestamp.from((Instant) value);
                case ENUM -> value == null ? null : ((Enum<?>) value).name();
                case NUMBER, TEXT -> value;
            };
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        Object fromSql(ResultSet rs) throws SQLException {
            return switch (kind) {
                case TIME -> rs.getTimestamp(column).toInstant();
                case ENUM -> {
                    String name = rs.getString(column);
                    yield name == null ? null : Enum.valueOf((Class) type, name);
                }
                case NUMBER -> rs.getObject(column) == null ? null : rs.getLong(column);
                case TEXT -> rs.getString(column);
            };
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        Object enumOf(String name) {
            return Enum.valueOf((Class) type, name);
        }
    }

    private final List<Field> fields;
    private final int version;
    private final MethodHandle constructor;

    AuditFields(Class<R> type) {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        RecordComponent[] components = type.getRecordComponents();
        this.fields = Arrays.stream(components).map(c -> field(lookup, type, c)).toList();
        this.version = fields.stream().mapToInt(Field::since).max().orElseThrow();
        try {
            Class<?>[] types = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
            this.constructor = lookup.findConstructor(type, MethodType.methodType(void.class, types))
                    .asSpreader(Object[].class, types.length).asType(MethodType.methodType(Record.class, Object[].class));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Field field(MethodHandles.Lookup lookup, Class<?> record, RecordComponent c) {
        Class<?> type = c.getType();
        Kind kind = type == Instant.class ? Kind.TIME : type.isEnum() ? Kind.ENUM : type == Long.class ? Kind.NUMBER
                : type == String.class ? Kind.TEXT : null;
        Stored stored = c.getAnnotation(Stored.class);
        int size = stored == null ? 0 : stored.size();
        int since = stored == null ? 1 : stored.since();
        if (kind == null || (kind == Kind.TEXT) != (size > 0) || since < 1) {
            throw new IllegalStateException(record.getSimpleName() + "." + c.getName() + " cannot be stored: a field is an Instant, "
                    + "an enum, a Long or a String with @Stored(size), from version 1 on");
        }
        String column = stored == null || stored.column().isEmpty() ? snakeCase(c.getName()) : stored.column();
        try {
            MethodHandle accessor = lookup.unreflect(c.getAccessor()).asType(MethodType.methodType(Object.class, Record.class));
            return new Field(c.getName(), column, kind, type, size, since, accessor);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String snakeCase(String name) {
        return name.replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT);
    }

    /** Every field, in the record's order. */
    List<Field> all() {
        return fields;
    }

    /** The current version of the format: that of the latest field. */
    int version() {
        return version;
    }

    Object[] values(R record) {
        Object[] values = new Object[fields.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = fields.get(i).of(record);
        }
        return values;
    }

    @SuppressWarnings("unchecked")
    R create(Object[] values) {
        try {
            return (R) (Record) constructor.invokeExact(values);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The record as it is stored: every text with its control characters escaped (see
     * {@link AuditText}: PostgreSQL refuses a NUL, and a forged line break misleads whoever reads
     * the trail), then cut to its column's size, so the hash covers exactly what is stored.
     */
    R fitted(R record) {
        Object[] values = values(record);
        for (int i = 0; i < values.length; i++) {
            Field f = fields.get(i);
            if (f.kind() == Kind.TEXT) {
                values[i] = cut(AuditText.escaped((String) values[i]), f.size());
            }
        }
        return create(values);
    }

    private static String cut(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        // Not between the two halves of a surrogate pair: that would leave half a character.
        int end = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
        return s.substring(0, end);
    }

    /** The columns, in order: {@code ts, type, username, ...}. */
    String columns() {
        return fields.stream().map(Field::column).collect(Collectors.joining(", "));
    }

    /** The placeholders of {@link #columns()} in an INSERT. */
    String placeholders() {
        return fields.stream().map(Field::placeholder).collect(Collectors.joining(", "));
    }

    /** The values of {@link #columns()} as JDBC parameters. */
    Object[] toSql(R record) {
        Object[] values = values(record);
        for (int i = 0; i < values.length; i++) {
            values[i] = fields.get(i).toSql(values[i]);
        }
        return values;
    }

    /** The record of a row that has {@link #columns()}. */
    R fromSql(ResultSet rs) throws SQLException {
        Object[] values = new Object[fields.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = fields.get(i).fromSql(rs);
        }
        return create(values);
    }
}
