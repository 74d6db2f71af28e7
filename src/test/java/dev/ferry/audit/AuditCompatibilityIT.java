package dev.ferry.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.TestPostgres;
import dev.ferry.testsupport.Users;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import tools.jackson.databind.JsonNode;

/**
 * A database and a journal as Ferry 0c8715b left them (see {@link AuditCompatibilityTest}): the
 * journal's records are shipped at start after the stored ones, the whole chain verifies, the API
 * and the CSV export show every field of the old records, and new records extend the chain.
 */
class AuditCompatibilityIT {

    @TempDir
    Path work;

    @Test
    void aTrailAndAJournalWrittenBy0c8715bAreShippedVerifiedShownAndExtended() throws Exception {
        TestPostgres.Database database = TestPostgres.get().newDatabase();
        DriverManagerDataSource dataSource = new DriverManagerDataSource(database.url(), database.username(), database.password());
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        for (String insert : Files.readAllLines(AuditCompatibilityTest.WRITTEN_BY_0C8715B.resolve("audit_events.sql"))) {
            if (insert.startsWith("insert")) {
                jdbc.update(insert);
            }
        }
        jdbc.execute("select setval(pg_get_serial_sequence('audit_events', 'id'), (select max(id) from audit_events))");
        List<Map<String, Object>> stored = jdbc.queryForList("select * from audit_events order by id");
        assertThat(stored).hasSize(18);

        Path journal = AuditCompatibilityTest.copyOfTheJournalWrittenBy0c8715b(work);
        try (FerryInstance ferry = FerryInstance.start(database, FerryInstance.tempDir("ferry-files"), Map.of(
                "sftp.audit.durability", "journal", "sftp.audit.journal-dir", journal.toString(), "sftp.audit.ship-interval", "1h"))) {
            AdminClient admin = ferry.admin();
            // Shipped at start, before anything new, after the stored records.
            assertThat(jdbc.queryForList("select id from audit_events where username = 'legacy-journal' order by id", Long.class))
                    .containsExactly(19L, 20L, 21L, 22L, 25L);
            JsonNode verdict = admin.get("/api/v1/audit/verify").json();
            assertThat(verdict.get("valid").asBoolean()).as(verdict.toString()).isTrue();
            assertThat(verdict.get("checkedRecords").asLong()).isEqualTo(25);

            // The API shows every field of a record as it was stored.
            for (Map<String, Object> row : stored) {
                JsonNode shown = only(admin, "/api/v1/audit?size=500&username=" + urlEncoded((String) row.get("username")), row.get("id"));
                assertThat(shown.get("type").asText()).isEqualTo(row.get("type"));
                assertThat(shown.get("status").asText()).isEqualTo(row.get("status"));
                for (String[] field : new String[][] {{"username", "username"}, {"remoteAddress", "remote_address"},
                        {"sessionId", "session_id"}, {"path", "path"}, {"targetPath", "target_path"}, {"sha256", "sha256"},
                        {"detail", "detail"}, {"keyFingerprint", "key_fingerprint"}, {"clientVersion", "client_version"},
                        {"etag", "etag"}, {"versionId", "version_id"}}) {
                    assertThat(shown.get(field[0]).isNull() ? null : shown.get(field[0]).asText()).as(field[0] + " of " + row)
                            .isEqualTo(row.get(field[1]));
                }
                for (String[] field : new String[][] {{"bytes", "bytes"}, {"durationMs", "duration_ms"}}) {
                    assertThat(shown.get(field[0]).isNull() ? null : shown.get(field[0]).asLong()).as(field[0] + " of " + row)
                            .isEqualTo(row.get(field[1]));
                }
                assertThat(java.time.OffsetDateTime.parse(shown.get("timestamp").asText()).toInstant())
                        .isEqualTo(((java.sql.Timestamp) row.get("ts")).toInstant());
            }
            JsonNode upload = events(admin, "username=legacy-journal&type=UPLOAD").get(0);
            assertThat(upload.get("path").asText()).isEqualTo("/inbox/\u00e9t\u00e9 \u4e2d\uD83D\uDE00.csv");
            assertThat(upload.get("timestamp").asText()).startsWith("2026-12-01T08:00:00.123456");
            assertThat(upload.get("etag").asText()).isEqualTo("\"0123456789abcdef\"");
            assertThat(upload.get("versionId").asText()).isEqualTo("v-1");
            assertThat(upload.get("durationMs").asLong()).isEqualTo(17);

            var csv = admin.send("GET", "/api/v1/audit?username=legacy-db&type=RENAME", null, "text/csv");
            assertThat(csv.body()).isEqualTo("timestamp,type,username,path,targetPath,bytes,durationMs,sha256,status,detail,"
                    + "remoteAddress,sessionId,keyFingerprint,clientVersion,etag,versionId,id\r\n"
                    + "2026-12-01T08:00:01.000100Z,RENAME,legacy-db,\"/a, \"\"quoted\"\"\",/b\\u000aline,0,9223372036854775807,,FAILED,"
                    + "No such file\\u0000,,,,,,,14\r\n");

            // New records extend the old chain.
            Users.create(admin, "after-upgrade", TestKeys.ed25519(), null);
            assertThat(admin.get("/api/v1/audit?username=admin&type=ADMIN").json().get("totalElements").asLong()).isEqualTo(4);
            verdict = admin.get("/api/v1/audit/verify").json();
            assertThat(verdict.get("valid").asBoolean()).as(verdict.toString()).isTrue();
            assertThat(verdict.get("checkedRecords").asLong()).isEqualTo(26);
        }
    }

    private static JsonNode only(AdminClient admin, String query, Object id) {
        return StreamSupport.stream(admin.get(query).json().get("content").spliterator(), false)
                .filter(e -> e.get("id").asLong() == ((Number) id).longValue()).findFirst()
                .orElseThrow(() -> new AssertionError("record " + id + " not in " + query));
    }

    private static List<JsonNode> events(AdminClient admin, String query) {
        return StreamSupport.stream(admin.get("/api/v1/audit?size=500&" + query).json().get("content").spliterator(), false).toList();
    }

    private static String urlEncoded(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }
}
