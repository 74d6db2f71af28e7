package dev.ferry.adminapi;

import static dev.ferry.adminapi.ApiAssertions.adminAudit;
import static dev.ferry.adminapi.ApiAssertions.assertProblem;
import static dev.ferry.adminapi.ApiAssertions.fieldNames;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.AdminClient.Response;
import dev.ferry.testsupport.FerryInstance;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/** /api/v1/tokens and bearer authentication, over HTTP against a whole server. */
class TokensApiIT {

    private static final AtomicInteger NAMES = new AtomicInteger();

    static FerryInstance ferry;
    static AdminClient admin;

    @BeforeAll
    static void start() {
        ferry = FerryInstance.start();
        admin = ferry.admin();
    }

    @AfterAll
    static void stop() {
        if (ferry != null) {
            ferry.close();
        }
    }

    // ---- create, list, shown once ------------------------------------------------------------

    @Test
    void theCreateAnswerCarriesTheTokenOnceAndItIsStoredOnlyAsItsHash() throws Exception {
        OffsetDateTime expires = OffsetDateTime.now(ZoneOffset.UTC).plusDays(30).withNano(0);
        Response created = admin.post("/api/v1/tokens",
                "{\"name\": \"nightly provisioning\", \"role\": \"AUDITOR\", \"expiresAt\": \"" + expires + "\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode json = created.json();
        long id = json.get("id").asLong();
        assertThat(created.header("Location")).isEqualTo(ferry.apiBase() + "/api/v1/tokens/" + id);
        assertThat(created.header("Cache-Control")).contains("no-store");
        assertThat(fieldNames(json)).containsExactlyInAnyOrder("id", "name", "role", "createdBy", "createdAt", "expiresAt", "lastUsedAt", "token");
        String token = json.get("token").asString();
        assertThat(token).matches("ferry_[A-Za-z0-9_-]{43}");
        assertThat(json.get("name").asString()).isEqualTo("nightly provisioning");
        assertThat(json.get("role").asString()).isEqualTo("AUDITOR");
        assertThat(json.get("createdBy").asString()).isEqualTo("admin");
        assertThat(OffsetDateTime.parse(json.get("expiresAt").asString()).toInstant()).isEqualTo(expires.toInstant());
        assertThat(json.get("lastUsedAt").isNull()).isTrue();

        Response list = admin.get("/api/v1/tokens");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().isArray()).isTrue();
        assertThat(list.body()).contains("nightly provisioning").doesNotContain(token).doesNotContain("\"token\"")
                .doesNotContain(sha256(token));
        Response one = admin.get("/api/v1/tokens/" + id);
        assertThat(one.status()).isEqualTo(200);
        assertThat(fieldNames(one.json())).doesNotContain("token");
        assertThat(one.body()).doesNotContain(token);

        JdbcTemplate db = ferry.bean(JdbcTemplate.class);
        Map<String, Object> row = db.queryForMap("select * from api_tokens where id = ?", id);
        assertThat(row.get("token_hash")).isEqualTo(sha256(token));
        assertThat(row.values()).allSatisfy(v -> assertThat(String.valueOf(v)).doesNotContain(token.substring(6)));
    }

    @Test
    void tokensAreDistinctAndHighEntropy() {
        String a = createToken("ADMIN", null).get("token").asString();
        String b = createToken("ADMIN", null).get("token").asString();
        assertThat(a).isNotEqualTo(b);
        assertThat(a.substring(6).chars().distinct().count()).isGreaterThan(15);
    }

    // ---- roles ------------------------------------------------------------------------------

    @Test
    void anAdminTokenChangesThingsAndIsTheActorInTheAudit() {
        JsonNode created = createToken("ADMIN", null);
        long id = created.get("id").asLong();
        AdminClient automation = admin.withBearer(created.get("token").asString());

        String user = name("by-token");
        assertThat(automation.post("/api/v1/users", "{\"username\": \"" + user + "\"}").status()).isEqualTo(201);
        Response another = automation.post("/api/v1/tokens", "{\"name\": \"child\", \"role\": \"AUDITOR\"}");
        assertThat(another.status()).as(another.body()).isEqualTo(201);
        assertThat(another.json().get("createdBy").asString()).isEqualTo("token:" + id);
        String adminName = name("adm");
        assertThat(automation.post("/api/v1/admins", "{\"username\": \"" + adminName + "\", \"password\": \"a long admin passphrase\", "
                + "\"role\": \"AUDITOR\"}").status()).isEqualTo(201);

        assertThat(adminAudit(ferry, "/api/v1/users/" + user)).singleElement()
                .satisfies(r -> assertThat(r.get("username")).isEqualTo("token:" + id));
        assertThat(adminAudit(ferry, "/api/v1/admins/" + adminName)).singleElement()
                .satisfies(r -> assertThat(r.get("username")).isEqualTo("token:" + id));
    }

    @Test
    void anAuditorTokenReadsEverythingAndEveryWriteIs403Problem() {
        AdminClient reader = admin.withBearer(createToken("AUDITOR", null).get("token").asString());
        for (String path : List.of("/api/v1/users", "/api/v1/admins", "/api/v1/admins/admin", "/api/v1/tokens", "/api/v1/audit",
                "/api/v1/sessions", "/actuator/info")) {
            Response read = reader.get(path);
            assertThat(read.status()).as(path + ": " + read.body()).isEqualTo(200);
        }
        long victim = createToken("ADMIN", null).get("id").asLong();
        assertProblem(reader.post("/api/v1/users", "{\"username\": \"" + name("nope") + "\"}"), 403, null);
        assertProblem(reader.post("/api/v1/tokens", "{\"name\": \"escalate\", \"role\": \"ADMIN\"}"), 403, null);
        assertProblem(reader.delete("/api/v1/tokens/" + victim), 403, null);
        assertProblem(reader.post("/api/v1/admins", "{\"username\": \"" + name("nope") + "\", \"password\": \"a long admin passphrase\", "
                + "\"role\": \"ADMIN\"}"), 403, null);
        assertProblem(reader.put("/api/v1/admins/admin", "{\"role\": \"AUDITOR\"}"), 403, null);
        assertProblem(reader.delete("/api/v1/admins/admin"), 403, null);
        assertThat(admin.get("/api/v1/tokens/" + victim).status()).isEqualTo(200);
    }

    // ---- expiry and revocation ------------------------------------------------------------

    @Test
    void aTokenStopsWorkingWhenItExpires() throws Exception {
        JsonNode created = createToken("ADMIN", OffsetDateTime.now(ZoneOffset.UTC).plusSeconds(2));
        AdminClient automation = admin.withBearer(created.get("token").asString());
        assertThat(automation.get("/api/v1/users").status()).isEqualTo(200);
        Thread.sleep(2500);
        assertInvalidToken(automation.get("/api/v1/users"));
        assertInvalidToken(automation.post("/api/v1/users", "{\"username\": \"" + name("late") + "\"}"));
    }

    @Test
    void anExpiredTokenIs401() {
        JsonNode created = createToken("ADMIN", OffsetDateTime.now(ZoneOffset.UTC).plusDays(1));
        AdminClient automation = admin.withBearer(created.get("token").asString());
        assertThat(automation.get("/api/v1/tokens").status()).isEqualTo(200);
        ferry.bean(JdbcTemplate.class).update("update api_tokens set expires_at = now() - interval '1 second' where id = ?",
                created.get("id").asLong());
        assertInvalidToken(automation.get("/api/v1/tokens"));
    }

    @Test
    void aRevokedTokenIs401AndGoneFromTheList() {
        JsonNode created = createToken("ADMIN", null);
        long id = created.get("id").asLong();
        AdminClient automation = admin.withBearer(created.get("token").asString());
        assertThat(automation.get("/api/v1/users").status()).isEqualTo(200);

        Response revoked = admin.delete("/api/v1/tokens/" + id);
        assertThat(revoked.status()).as(revoked.body()).isEqualTo(204);
        assertInvalidToken(automation.get("/api/v1/users"));
        assertProblem(admin.get("/api/v1/tokens/" + id), 404, null);
        assertProblem(admin.delete("/api/v1/tokens/" + id), 404, null);
        assertThat(admin.get("/api/v1/tokens").body()).doesNotContain("\"id\":" + id + ",");
    }

    @Test
    void aTokenMayRevokeItself() {
        JsonNode created = createToken("ADMIN", null);
        AdminClient automation = admin.withBearer(created.get("token").asString());
        assertThat(automation.delete("/api/v1/tokens/" + created.get("id").asLong()).status()).isEqualTo(204);
        assertInvalidToken(automation.get("/api/v1/users"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ferry_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "ferry_short", "not-a-token", "", "ferry_!!!"})
    void unknownOrMalformedTokensAre401(String token) {
        assertInvalidToken(admin.withBearer(token).get("/api/v1/users"));
    }

    @Test
    void aTokenIsNotAPassword() {
        String token = createToken("ADMIN", null).get("token").asString();
        assertProblem(admin.as("admin", token).get("/api/v1/users"), 401, null);
    }

    @Test
    void useIsRecordedAsLastUsedAt() {
        JsonNode created = createToken("AUDITOR", null);
        long id = created.get("id").asLong();
        assertThat(admin.get("/api/v1/tokens/" + id).json().get("lastUsedAt").isNull()).isTrue();
        assertThat(admin.withBearer(created.get("token").asString()).get("/api/v1/users").status()).isEqualTo(200);
        String lastUsed = admin.get("/api/v1/tokens/" + id).json().get("lastUsedAt").asString();
        assertThat(OffsetDateTime.parse(lastUsed)).isAfter(OffsetDateTime.now().minusMinutes(1));
    }

    // ---- validation -------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidTokens")
    void refusesInvalidTokenRequestsNamingTheField(String body, String field) {
        assertProblem(admin.post("/api/v1/tokens", body), 400, field);
    }

    static Stream<Arguments> invalidTokens() {
        return Stream.of(
                Arguments.of("{\"role\": \"ADMIN\"}", "name"),
                Arguments.of("{\"name\": \"  \", \"role\": \"ADMIN\"}", "name"),
                Arguments.of("{\"name\": \"" + "n".repeat(65) + "\", \"role\": \"ADMIN\"}", "name"),
                Arguments.of("{\"name\": \"tab\\there\", \"role\": \"ADMIN\"}", "name"),
                Arguments.of("{\"name\": \"ci\"}", "role"),
                Arguments.of("{\"name\": \"ci\", \"role\": \"SUPERUSER\"}", "role"),
                Arguments.of("{\"name\": \"ci\", \"role\": 0}", "role"),
                Arguments.of("{\"name\": \"ci\", \"role\": \"ADMIN\", \"expiresAt\": \"2020-01-01T00:00:00Z\"}", "expiresAt"),
                Arguments.of("{\"name\": \"ci\", \"role\": \"ADMIN\", \"expiresAt\": \"tomorrow\"}", "expiresAt"),
                Arguments.of("{\"name\": \"ci\", \"role\": \"ADMIN\", \"token\": \"ferry_mine\"}", "token"));
    }

    @Test
    void refusesMalformedOrMissingBodiesAndBadIds() {
        assertProblem(admin.post("/api/v1/tokens", "{\"name\": "), 400, null);
        assertProblem(admin.post("/api/v1/tokens", ""), 400, null);
        assertProblem(admin.post("/api/v1/tokens", "[]"), 400, null);
        assertProblem(admin.delete("/api/v1/tokens/abc"), 400, null);
        assertProblem(admin.get("/api/v1/tokens/999999"), 404, null);
    }

    @Test
    void withoutCredentialsTokensAre401() {
        for (String[] request : List.of(new String[] {"GET", "/api/v1/tokens"}, new String[] {"POST", "/api/v1/tokens"},
                new String[] {"GET", "/api/v1/tokens/1"}, new String[] {"DELETE", "/api/v1/tokens/1"})) {
            Response response = admin.withoutCredentials().send(request[0], request[1], request[0].equals("POST") ? "{}" : null);
            assertProblem(response, 401, null);
            assertThat(response.header("WWW-Authenticate")).startsWith("Basic");
        }
    }

    // ---- audit ------------------------------------------------------------------------------

    @Test
    void creatingAndRevokingAreAuditedWithoutTheToken() {
        JsonNode created = createToken("AUDITOR", null);
        long id = created.get("id").asLong();
        String token = created.get("token").asString();
        assertThat(admin.delete("/api/v1/tokens/" + id).status()).isEqualTo(204);

        List<Map<String, Object>> records = adminAudit(ferry, "/api/v1/tokens/" + id);
        assertThat(records).hasSize(2);
        assertThat(records).allSatisfy(r -> {
            assertThat(r.get("username")).isEqualTo("admin");
            assertThat((String) r.get("detail")).doesNotContain(token).doesNotContain(token.substring(6, 20)).doesNotContain(sha256(token));
        });
        assertThat((String) records.get(0).get("detail")).startsWith("created API token " + id).contains("AUDITOR").contains("never expires");
        assertThat((String) records.get(1).get("detail")).startsWith("revoked API token " + id);
        assertThat(ferry.bean(JdbcTemplate.class).queryForObject(
                "select count(*) from audit_events where detail like ? or path like ?", Integer.class, "%" + token + "%", "%" + token + "%"))
                .isZero();
    }

    // ---- helpers ----------------------------------------------------------------------------

    static String name(String prefix) {
        return prefix + "-" + NAMES.incrementAndGet();
    }

    static JsonNode createToken(String role, OffsetDateTime expiresAt) {
        Response response = admin.post("/api/v1/tokens", "{\"name\": \"" + name("token") + "\", \"role\": \"" + role + "\", \"expiresAt\": "
                + (expiresAt == null ? "null" : "\"" + expiresAt + "\"") + "}");
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json();
    }

    static void assertInvalidToken(Response response) {
        assertProblem(response, 401, null);
        assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
    }

    static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
