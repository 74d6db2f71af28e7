package dev.ferry.adminapi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The fields of a resource that an ADMIN audit record spells out: all of them when it is created
 * ({@code quota=..., maxSessions=...}), the changed ones when it is replaced
 * ({@code maxSessions: 2 -> 4}). One list per resource, so a new field is one line.
 */
final class AuditedFields<T> {

    private final Map<String, Function<T, Object>> fields;

    private AuditedFields(Map<String, Function<T, Object>> fields) {
        this.fields = fields;
    }

    static <T> Builder<T> builder() {
        return new Builder<>();
    }

    static final class Builder<T> {
        private final Map<String, Function<T, Object>> fields = new LinkedHashMap<>();

        Builder<T> field(String name, Function<T, Object> value) {
            fields.put(name, value);
            return this;
        }

        AuditedFields<T> build() {
            return new AuditedFields<>(new LinkedHashMap<>(fields));
        }
    }

    /** Every field as {@code name=value}, in order. */
    List<String> describe(T resource) {
        List<String> parts = new ArrayList<>();
        fields.forEach((name, value) -> parts.add(name + "=" + value.apply(resource)));
        return parts;
    }

    /** The fields that differ, as {@code name: before -> after}, in order. */
    List<String> changes(T before, T after) {
        List<String> changes = new ArrayList<>();
        fields.forEach((name, value) -> {
            Object a = value.apply(before);
            Object b = value.apply(after);
            if (!Objects.equals(a, b)) {
                changes.add(name + ": " + a + " -> " + b);
            }
        });
        return changes;
    }

    static String joined(List<String> changes) {
        return changes.isEmpty() ? "no change" : String.join("; ", changes);
    }
}
