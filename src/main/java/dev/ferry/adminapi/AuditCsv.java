package dev.ferry.adminapi;

import dev.ferry.audit.AuditRecord;
import java.io.Flushable;
import java.io.IOException;
import java.io.Writer;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * The audit trail as CSV (RFC 4180, written by Commons CSV): a header row of the record's fields
 * ({@link AuditRecord#exportColumns()}), then one row per record. Cells are made safe to open in
 * a spreadsheet: one that starts with {@code = + - @}, a tab or a carriage return would be taken
 * as a formula, so it gets a leading {@code '} (OWASP's advice against CSV injection). That rule
 * is ours; quoting and escaping are the library's.
 */
final class AuditCsv implements Flushable {

    private static final CSVFormat FORMAT = CSVFormat.RFC4180;

    private final CSVPrinter printer;

    /** Starts the export with its header row. */
    AuditCsv(Writer out) throws IOException {
        this.printer = new CSVPrinter(out, FORMAT);
        printer.printRecord(AuditRecord.exportColumns());
    }

    void print(AuditRecord record) throws IOException {
        printer.printRecord(record.exportCells().stream().map(AuditCsv::defused));
    }

    @Override
    public void flush() throws IOException {
        printer.flush();
    }

    /** The cell, with a leading {@code '} if a spreadsheet would take it as a formula. */
    static String defused(String cell) {
        if (cell != null && !cell.isEmpty() && "=+-@\t\r".indexOf(cell.charAt(0)) >= 0) {
            return "'" + cell;
        }
        return cell;
    }
}
