package dev.ferry.adminapi;

import dev.ferry.shared.InvalidInputException;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.jspecify.annotations.Nullable;

/**
 * The users of a CSV import (RFC 4180, read by Commons CSV): a header row naming the columns, in
 * any order and case, then one user per row. The file as a whole is refused (400) when its header
 * is wrong or it has too many rows, before any user is created; a wrong row is reported by the
 * import, not refused here.
 */
final class UserCsv {

    /** The columns a file may have; username is required. */
    private static final List<String> COLUMNS = List.of("username", "publicKey", "groups");
    private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true)
            .setIgnoreSurroundingSpaces(true).setIgnoreEmptyLines(true).setAllowMissingColumnNames(false).get();

    /** One user to create: its line in the file (the header is line 1), name, optional key and group names. */
    record Row(long line, @Nullable String username, @Nullable String publicKey, List<String> groups) {
    }

    private UserCsv() {
    }

    static List<Row> read(@Nullable String csv, int maxRows) {
        if (csv == null || csv.isBlank()) {
            throw new InvalidInputException(null, "the body is empty: send a CSV file whose first line names the columns "
                    + String.join(",", COLUMNS) + ", then one user per line");
        }
        try (CSVParser parser = CSVParser.builder().setReader(new StringReader(csv)).setFormat(FORMAT).get()) {
            Map<String, String> columns = columns(parser.getHeaderNames());
            List<Row> rows = new ArrayList<>();
            for (CSVRecord record : parser) {
                if (rows.size() == maxRows) {
                    throw new InvalidInputException(null, "the file has more than " + maxRows + " users: split it");
                }
                rows.add(new Row(parser.getCurrentLineNumber(), cell(record, columns.get("username")),
                        cell(record, columns.get("publicKey")), groups(cell(record, columns.get("groups")))));
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
            throw new InvalidInputException(null, "the CSV cannot be read: " + e.getMessage());
        }
    }

    /** The file's spelling of each known column; unknown or missing required columns refuse the file. */
    private static Map<String, String> columns(List<String> header) {
        Map<String, String> found = new HashMap<>();
        for (String name : header) {
            String known = COLUMNS.stream().filter(c -> c.equalsIgnoreCase(name.strip())).findFirst()
                    .orElseThrow(() -> new InvalidInputException(null, "the CSV has the column '" + name
                            + "', which is not one of " + String.join(", ", COLUMNS) + " (the first line names the columns)"));
            if (found.put(known, name) != null) {
                throw new InvalidInputException(null, "the CSV names the column " + known + " twice");
            }
        }
        if (!found.containsKey("username")) {
            throw new InvalidInputException(null, "the CSV has no username column: its first line must name the columns, e.g. "
                    + String.join(",", COLUMNS));
        }
        return found;
    }

    private static @Nullable String cell(CSVRecord record, @Nullable String column) {
        if (column == null || !record.isSet(column)) {
            return null;
        }
        String value = record.get(column).strip();
        return value.isEmpty() ? null : value;
    }

    private static List<String> groups(@Nullable String cell) {
        return cell == null ? List.of()
                : Arrays.stream(cell.split(";")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
