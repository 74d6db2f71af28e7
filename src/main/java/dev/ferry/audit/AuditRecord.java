package dev.ferry.audit;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** A stored audit record as the admin API shows it: its id, then every field of {@link AuditEvent}. */
public record AuditRecord(long id, @JsonUnwrapped AuditEvent event) {

    /** The export's leading columns, as the contract has them; the other fields follow in their order, the id last. */
    private static final List<String> LEADING = List.of("timestamp", "type", "username", "path", "targetPath", "bytes", "durationMs",
            "sha256", "status", "detail");
    private static final List<AuditFields.Field> EXPORTED = Stream.concat(
            LEADING.stream().map(name -> AuditFields.EVENT.all().stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow()),
            AuditFields.EVENT.all().stream().filter(f -> !LEADING.contains(f.name()))).toList();

    /** The columns of an export: {@code timestamp,type,username,path,...}, every field of the record and its id. */
    public static List<String> exportColumns() {
        List<String> columns = new ArrayList<>(EXPORTED.stream().map(AuditFields.Field::name).toList());
        columns.add("id");
        return columns;
    }

    /** This record's cells in the order of {@link #exportColumns()}, as text; null where a field has no value. */
    public List<String> exportCells() {
        List<String> cells = new ArrayList<>(EXPORTED.size() + 1);
        for (AuditFields.Field f : EXPORTED) {
            Object value = f.of(event);
            cells.add(value == null ? null : switch (f.kind()) {
                case TIME -> ((Instant) value).atOffset(ZoneOffset.UTC).toString();
                case ENUM -> ((Enum<?>) value).name();
                case NUMBER, TEXT -> value.toString();
            });
        }
        cells.add(Long.toString(id));
        return cells;
    }
}
