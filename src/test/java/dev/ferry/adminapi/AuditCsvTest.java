package dev.ferry.adminapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.audit.AuditEvent;
import dev.ferry.audit.AuditRecord;
import dev.ferry.audit.AuditStatus;
import dev.ferry.audit.AuditType;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

/** The audit export: RFC 4180 as a spreadsheet or a CSV parser reads it, and no cell a spreadsheet would run as a formula. */
class AuditCsvTest {

    private static String export(AuditRecord... records) throws IOException {
        StringWriter out = new StringWriter();
        AuditCsv csv = new AuditCsv(out);
        for (AuditRecord r : records) {
            csv.print(r);
        }
        csv.flush();
        return out.toString();
    }

    private static AuditRecord record(long id, String path, String detail) {
        return new AuditRecord(id, new AuditEvent(Instant.parse("2026-12-01T08:00:01.000100Z"), AuditType.RENAME, "acme", null, null, path,
                "/b", 0L, 12L, null, AuditStatus.FAILED, detail, null, null, null, null));
    }

    @Test
    void theHeaderAndARowAreAsTheContractSays() throws IOException {
        assertThat(export(record(14, "/a, \"quoted\"", "No such file"))).isEqualTo(
                "timestamp,type,username,path,targetPath,bytes,durationMs,sha256,status,detail,remoteAddress,sessionId,"
                        + "keyFingerprint,clientVersion,etag,versionId,id\r\n"
                        + "2026-12-01T08:00:01.000100Z,RENAME,acme,\"/a, \"\"quoted\"\"\",/b,0,12,,FAILED,No such file,,,,,,,14\r\n");
    }

    @Test
    void cellsASpreadsheetWouldRunAsAFormulaAreDefused() throws IOException {
        List<String> formulas = List.of("=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1");
        for (String formula : formulas) {
            String csv = export(record(1, formula, "=HYPERLINK(\"http://evil\")"));
            CSVRecord row = parse(csv).get(1);
            assertThat(cell(row, "path")).as(formula).isEqualTo("'" + formula);
            assertThat(cell(row, "detail")).isEqualTo("'=HYPERLINK(\"http://evil\")");
            assertThat(csv).doesNotContain("," + formula.charAt(0));
        }
        assertThat(AuditCsv.defused("a=b")).isEqualTo("a=b");
        assertThat(AuditCsv.defused("")).isEmpty();
        assertThat(AuditCsv.defused(null)).isNull();
    }

    @Test
    void aParserReadsBackEveryCellExactly() throws IOException {
        String awkward = "line\nbreak, \"quotes\" and trailing space ";
        List<CSVRecord> rows = parse(export(record(7, awkward, null), record(8, "/plain", "d")));
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0).toList()).isEqualTo(AuditRecord.exportColumns());
        assertThat(cell(rows.get(1), "path")).isEqualTo(awkward);
        assertThat(cell(rows.get(1), "detail")).as("no value: an empty cell").isEmpty();
        assertThat(cell(rows.get(1), "id")).isEqualTo("7");
        assertThat(cell(rows.get(2), "timestamp")).isEqualTo("2026-12-01T08:00:01.000100Z");
        assertThat(cell(rows.get(2), "status")).isEqualTo("FAILED");
    }

    /** Every row, the header first. */
    private static List<CSVRecord> parse(String csv) throws IOException {
        try (var parser = CSVFormat.RFC4180.parse(new StringReader(csv))) {
            return parser.getRecords();
        }
    }

    private static String cell(CSVRecord row, String column) {
        return row.get(AuditRecord.exportColumns().indexOf(column));
    }
}
