package dev.ferry.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.AdminClient.Response;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.Users;
import java.io.OutputStream;
import java.security.KeyPair;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.sftp.client.SftpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/** GET /api/v1/audit/stats, the dashboard's figures, computed from real SFTP traffic. */
class AuditStatsIT {

    static FerryInstance ferry;
    static AdminClient admin;
    static final KeyPair KEY = TestKeys.ed25519();

    @BeforeAll
    static void start() throws Exception {
        ferry = FerryInstance.start();
        admin = ferry.admin();
        Users.create(admin, "busy", KEY, null);
        Users.create(admin, "quiet", KEY, null);
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "busy", KEY)) {
            put(client.sftp(), "/a.bin", 1000);
            put(client.sftp(), "/b.bin", 2000);
            try (var in = client.sftp().read("/a.bin")) {
                in.readAllBytes();
            }
        }
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "quiet", KEY)) {
            put(client.sftp(), "/c.bin", 10);
        }
        try {
            SftpTestClient.withPassword(ferry.sftpPort(), "busy", "wrong-password").close();
        } catch (Exception expected) {
            // a failed login, audited as LOGIN_FAILED
        }
        awaitCount("LOGIN_FAILED", 1);
        awaitCount("DOWNLOAD", 1);
        // an old upload, 3 days ago: in the 7-day view, not in the 24-hour one
        ferry.bean(JdbcTemplate.class).update("update audit_events set ts = ts - interval '3 days' where path = '/c.bin' and type = 'UPLOAD'");
    }

    @AfterAll
    static void stop() {
        if (ferry != null) {
            ferry.close();
        }
    }

    static void put(SftpClient sftp, String path, int size) throws Exception {
        try (OutputStream out = sftp.write(path)) {
            out.write(new byte[size]);
        }
    }

    static void awaitCount(String type, int n) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            if (admin.get("/api/v1/audit?type=" + type).json().get("totalElements").asLong() >= n) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no " + type + " record");
    }

    static JsonNode stats(String query) {
        Response response = admin.get("/api/v1/audit/stats" + query);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    static List<JsonNode> list(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }

    @Test
    void theLast24HoursByHourCountTransfersBytesAndFailedLogins() {
        JsonNode day = stats("");
        assertThat(day.get("bucket").asString()).isEqualTo("HOUR");
        List<JsonNode> buckets = list(day.get("buckets"));
        assertThat(buckets).hasSize(24);
        Instant thisHour = Instant.now().truncatedTo(ChronoUnit.HOURS);
        assertThat(OffsetDateTime.parse(buckets.get(23).get("start").asString()).toInstant()).isEqualTo(thisHour);
        assertThat(OffsetDateTime.parse(buckets.get(0).get("start").asString()).toInstant()).isEqualTo(thisHour.minus(23, ChronoUnit.HOURS));

        JsonNode totals = day.get("totals");
        assertThat(totals.get("uploads").asLong()).isEqualTo(2);
        assertThat(totals.get("bytesIn").asLong()).isEqualTo(3000);
        assertThat(totals.get("downloads").asLong()).isEqualTo(1);
        assertThat(totals.get("bytesOut").asLong()).isEqualTo(1000);
        assertThat(totals.get("failedLogins").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(totals.get("logins").asLong()).isGreaterThanOrEqualTo(2);
        long inBuckets = buckets.stream().mapToLong(b -> b.get("uploads").asLong()).sum();
        assertThat(inBuckets).isEqualTo(2);

        JsonNode busiest = day.get("busiestUsers").get(0);
        assertThat(busiest.get("username").asString()).isEqualTo("busy");
        assertThat(busiest.get("uploads").asLong()).isEqualTo(2);
        assertThat(busiest.get("downloads").asLong()).isEqualTo(1);
        assertThat(busiest.get("bytesIn").asLong()).isEqualTo(3000);
        assertThat(list(day.get("busiestUsers"))).extracting(u -> u.get("username").asString()).doesNotContain("quiet");
    }

    @Test
    void theLast7DaysByDayIncludeOlderTransfers() {
        JsonNode week = stats("?bucket=day");
        assertThat(list(week.get("buckets"))).hasSize(7);
        assertThat(week.get("totals").get("uploads").asLong()).isEqualTo(3);
        assertThat(list(week.get("busiestUsers"))).extracting(u -> u.get("username").asString()).containsExactly("busy", "quiet");
    }

    @Test
    void anExplicitRangeIsRoundedToWholeBucketsAndEmptyBucketsAreListed() {
        JsonNode range = stats("?bucket=hour&from=2020-01-01T10:30:00Z&to=2020-01-01T13:00:00Z");
        assertThat(range.get("from").asString()).isEqualTo("2020-01-01T10:00:00Z");
        assertThat(list(range.get("buckets"))).extracting(b -> b.get("start").asString())
                .containsExactly("2020-01-01T10:00:00Z", "2020-01-01T11:00:00Z", "2020-01-01T12:00:00Z");
        assertThat(range.get("totals").get("uploads").asLong()).isZero();
    }

    @Test
    void badParametersGet400NamingTheParameter() {
        assertProblem(admin.get("/api/v1/audit/stats?bucket=minute"), "bucket");
        assertProblem(admin.get("/api/v1/audit/stats?from=yesterday"), "from");
        assertProblem(admin.get("/api/v1/audit/stats?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z"), "from");
        assertProblem(admin.get("/api/v1/audit/stats?bucket=hour&from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z"), "from");
        assertThat(admin.get("/api/v1/audit/stats?bucket=day&from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z").status()).isEqualTo(200);
    }

    @Test
    void anAuditorMayReadTheStatsAndAnonymousMayNot() {
        assertThat(admin.post("/api/v1/admins", "{\"username\":\"reader\",\"password\":\"reader-password-1\",\"role\":\"AUDITOR\"}")
                .status()).isEqualTo(201);
        assertThat(admin.as("reader", "reader-password-1").get("/api/v1/audit/stats").status()).isEqualTo(200);
        assertThat(admin.withoutCredentials().get("/api/v1/audit/stats").status()).isEqualTo(401);
    }

    static void assertProblem(Response response, String field) {
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.json().get("field").asString()).isEqualTo(field);
        assertThat(response.json().get("detail").asString()).hasSizeGreaterThan(10);
    }
}
