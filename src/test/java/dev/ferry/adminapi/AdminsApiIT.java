package dev.ferry.adminapi;

import static dev.ferry.adminapi.ApiAssertions.adminAudit;
import static dev.ferry.adminapi.ApiAssertions.assertProblem;
import static dev.ferry.adminapi.ApiAssertions.detail;
import static dev.ferry.adminapi.ApiAssertions.fieldNames;
import static dev.ferry.testsupport.AdminClient.quote;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.AdminClient.Response;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.TestPostgres;
import java.util.ArrayList;
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

/** /api/v1/admins over HTTP against a whole server: CRUD, validation, roles, last-admin rules, audit. */
class AdminsApiIT {

    static final String PASSWORD = "a long admin passphrase";
    private static final AtomicInteger NAMES = new AtomicInteger();

    static FerryInstance ferry;
    static AdminClient admin;

    @BeforeAll
    static void start() {
        // As on Kubernetes, where Spring Boot on its own would trust X-Forwarded-For from any private address
        ferry = FerryInstance.start(TestPostgres.get().newDatabase(), FerryInstance.tempDir("ferry-files"),
                Map.of("spring.main.cloud-platform", "kubernetes"));
        admin = ferry.admin();
    }

    @AfterAll
    static void stop() {
        if (ferry != null) {
            ferry.close();
        }
    }

    // ---- authentication and roles ------------------------------------------------------------

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("adminRequests")
    void answers401ProblemWithoutOrWithWrongCredentials(String method, String path) {
        String body = method.equals("GET") || method.equals("DELETE") ? null : "{}";
        Response anonymous = assertProblem(admin.withoutCredentials().send(method, path, body), 401, null);
        assertThat(anonymous.header("WWW-Authenticate")).startsWith("Basic");
        assertProblem(admin.as("admin", "wrong password here").send(method, path, body), 401, null);
    }

    static Stream<Arguments> adminRequests() {
        return Stream.of(
                Arguments.of("GET", "/api/v1/admins"),
                Arguments.of("POST", "/api/v1/admins"),
                Arguments.of("GET", "/api/v1/admins/admin"),
                Arguments.of("PUT", "/api/v1/admins/admin"),
                Arguments.of("DELETE", "/api/v1/admins/admin"));
    }

    @Test
    void anAuditorReadsEverythingAndEveryWriteIs403Problem() {
        String name = name("auditor");
        create(name, "AUDITOR");
        String victim = name("victim");
        create(victim, "ADMIN");
        AdminClient auditor = admin.as(name, PASSWORD);

        for (String path : List.of("/api/v1/admins", "/api/v1/admins/" + victim, "/api/v1/users", "/api/v1/tokens",
                "/api/v1/audit", "/api/v1/sessions")) {
            Response read = auditor.get(path);
            assertThat(read.status()).as(path + ": " + read.body()).isEqualTo(200);
        }
        assertProblem(auditor.post("/api/v1/admins", body(name("x"), PASSWORD, "ADMIN")), 403, null);
        assertProblem(auditor.put("/api/v1/admins/" + name, body(name, null, "ADMIN")), 403, null);
        assertProblem(auditor.put("/api/v1/admins/" + victim, body(victim, PASSWORD + "!", "AUDITOR")), 403, null);
        assertProblem(auditor.delete("/api/v1/admins/" + victim), 403, null);
        assertProblem(auditor.post("/api/v1/tokens", "{\"name\": \"mine\", \"role\": \"ADMIN\"}"), 403, null);
        assertProblem(auditor.delete("/api/v1/tokens/1"), 403, null);
        assertProblem(auditor.post("/api/v1/users", "{\"username\": \"" + name("u") + "\"}"), 403, null);

        // nothing changed: the auditor is still an auditor, the victim still an ADMIN with the old password
        assertThat(admin.get("/api/v1/admins/" + name).json().get("role").asString()).isEqualTo("AUDITOR");
        assertThat(admin.get("/api/v1/admins/" + victim).json().get("role").asString()).isEqualTo("ADMIN");
        assertThat(admin.as(victim, PASSWORD).get("/api/v1/admins").status()).isEqualTo(200);
        assertThat(auditor.get("/api/v1/tokens").json().size()).isZero();
    }

    // ---- create and read -----------------------------------------------------------------

    @Test
    void createAnswers201WithLocationAndTheAdminWithoutItsPassword() {
        String name = name("Alice");
        Response created = admin.post("/api/v1/admins", body(name, PASSWORD, "ADMIN"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.header("Location")).isEqualTo(ferry.apiBase() + "/api/v1/admins/" + name);
        assertThat(created.header("Content-Type")).startsWith("application/json");
        JsonNode json = created.json();
        assertThat(fieldNames(json)).containsExactlyInAnyOrder("username", "role", "createdAt", "updatedAt", "mfaEnabled", "mfaRequired");
        assertThat(json.get("mfaEnabled").asBoolean()).isFalse();
        assertThat(json.get("username").asString()).isEqualTo(name);
        assertThat(json.get("role").asString()).isEqualTo("ADMIN");
        assertThat(json.get("createdAt").asString()).matches("\\d{4}-\\d{2}-\\d{2}T[0-9:.]+(Z|[+-]\\d{2}:\\d{2})");
        assertNoSecrets(created);

        Response got = admin.get("/api/v1/admins/" + name.toLowerCase());
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.json().get("username").asString()).as("found regardless of case").isEqualTo(name);
        assertNoSecrets(got);

        Response list = admin.get("/api/v1/admins");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().isArray()).isTrue();
        assertThat(usernames(list.json())).contains("admin", name);
        assertThat(usernames(list.json())).isSortedAccordingTo(String.CASE_INSENSITIVE_ORDER);
        assertNoSecrets(list);

        // the new admin signs in and may change things
        assertThat(admin.as(name, PASSWORD).post("/api/v1/users", "{\"username\": \"" + name("by-alice") + "\"}").status()).isEqualTo(201);
    }

    @Test
    void thePasswordIsStoredAsAnArgon2idHash() {
        String name = name("hashed");
        create(name, "AUDITOR");
        String hash = ferry.bean(JdbcTemplate.class).queryForObject("select password_hash from admins where username = ?", String.class, name);
        assertThat(hash).startsWith("$argon2id$").doesNotContain(PASSWORD);
    }

    @Test
    void duplicateUsernameIs409RegardlessOfCase() {
        String name = name("dup");
        create(name, "AUDITOR");
        assertProblem(admin.post("/api/v1/admins", body(name.toUpperCase(), PASSWORD, "ADMIN")), 409, "username");
        assertProblem(admin.post("/api/v1/admins", body("ADMIN", PASSWORD, "ADMIN")), 409, "username");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "-lead", ".lead", "has space", "a/b", "..", "a..b", "x:y", "émile",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
    void refusesInvalidUsernamesNamingTheField(String username) {
        assertProblem(admin.post("/api/v1/admins", body(username, PASSWORD, "ADMIN")), 400, "username");
    }

    @Test
    void refusesPasswordsOutside12To1024Characters() {
        assertProblem(admin.post("/api/v1/admins", body(name("short"), "elevenchars", "ADMIN")), 400, "password");
        assertProblem(admin.post("/api/v1/admins", body(name("long"), "x".repeat(1025), "ADMIN")), 400, "password");
        assertProblem(admin.post("/api/v1/admins", "{\"username\": \"" + name("nopw") + "\", \"role\": \"ADMIN\"}"), 400, "password");
        assertThat(admin.post("/api/v1/admins", body(name("twelve"), "twelve chars", "ADMIN")).status()).isEqualTo(201);
        assertThat(admin.post("/api/v1/admins", body(name("max"), "y".repeat(1024), "AUDITOR")).status()).isEqualTo(201);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"admin\"", "\"ROOT\"", "\"\"", "7", "null"})
    void refusesAMissingOrUnknownRoleNamingTheField(String role) {
        Response response = assertProblem(admin.post("/api/v1/admins",
                "{\"username\": \"" + name("role") + "\", \"password\": \"" + PASSWORD + "\", \"role\": " + role + "}"), 400, "role");
        assertThat(detail(response)).contains("ADMIN").contains("AUDITOR");
        assertProblem(admin.post("/api/v1/admins", "{\"username\": \"" + name("norole") + "\", \"password\": \"" + PASSWORD + "\"}"),
                400, "role");
    }

    @Test
    void refusesUnknownFieldsMalformedJsonAndNonObjects() {
        assertProblem(admin.post("/api/v1/admins", "{\"username\": \"" + name("u") + "\", \"password\": \"" + PASSWORD
                + "\", \"role\": \"ADMIN\", \"superuser\": true}"), 400, "superuser");
        assertProblem(admin.post("/api/v1/admins", "{\"username\": "), 400, null);
        assertProblem(admin.post("/api/v1/admins", "[]"), 400, null);
        assertProblem(admin.post("/api/v1/admins", ""), 400, null);
    }

    @Test
    void unknownAdminsAre404Problems() {
        assertProblem(admin.get("/api/v1/admins/nobody-here"), 404, null);
        assertProblem(admin.put("/api/v1/admins/nobody-here", body(null, null, "ADMIN")), 404, null);
        assertProblem(admin.delete("/api/v1/admins/nobody-here"), 404, null);
    }

    // ---- replace -------------------------------------------------------------------------

    @Test
    void putChangesTheRoleAndWithoutAPasswordKeepsIt() {
        String name = name("promote");
        create(name, "AUDITOR");
        assertProblem(admin.as(name, PASSWORD).post("/api/v1/admins", body(name("y"), PASSWORD, "AUDITOR")), 403, null);

        Response put = admin.put("/api/v1/admins/" + name, "{\"role\": \"ADMIN\"}");
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        assertThat(put.json().get("role").asString()).isEqualTo("ADMIN");
        assertNoSecrets(put);
        // the role takes effect on the next request, with the same password
        assertThat(admin.as(name, PASSWORD).post("/api/v1/admins", body(name("by-promoted"), PASSWORD, "AUDITOR")).status()).isEqualTo(201);
    }

    @Test
    void putWithANewPasswordReplacesTheOldOne() {
        String name = name("repw");
        create(name, "AUDITOR");
        String next = "another long passphrase";
        assertThat(admin.put("/api/v1/admins/" + name, body(name, next, "AUDITOR")).status()).isEqualTo(200);
        assertProblem(admin.as(name, PASSWORD).get("/api/v1/admins"), 401, null);
        assertThat(admin.as(name, next).get("/api/v1/admins").status()).isEqualTo(200);
    }

    @Test
    void aGetAnswerCanBePutBack() {
        String name = name("roundtrip");
        create(name, "AUDITOR");
        String got = admin.get("/api/v1/admins/" + name).body();
        Response put = admin.put("/api/v1/admins/" + name, got);
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        assertThat(admin.as(name, PASSWORD).get("/api/v1/admins").status()).isEqualTo(200);
    }

    @Test
    void invalidPutsAre400AndChangeNothing() {
        String name = name("badput");
        create(name, "AUDITOR");
        assertProblem(admin.put("/api/v1/admins/" + name, body(name, null, null)), 400, "role");
        assertProblem(admin.put("/api/v1/admins/" + name, "{\"role\": \"ADMIN\", \"password\": null}"), 400, "password");
        assertProblem(admin.put("/api/v1/admins/" + name, body(name, "too short", "ADMIN")), 400, "password");
        assertProblem(admin.put("/api/v1/admins/" + name, body(name("other"), null, "ADMIN")), 400, "username");
        assertThat(admin.get("/api/v1/admins/" + name).json().get("role").asString()).isEqualTo("AUDITOR");
        assertThat(admin.as(name, PASSWORD).get("/api/v1/admins").status()).isEqualTo(200);
    }

    // ---- delete --------------------------------------------------------------------------

    @Test
    void deleteIs204ThenTheAdminIsGoneAndCannotSignIn() {
        String name = name("gone");
        create(name, "ADMIN");
        assertThat(admin.as(name, PASSWORD).get("/api/v1/admins").status()).isEqualTo(200);
        Response deleted = admin.delete("/api/v1/admins/" + name.toUpperCase());
        assertThat(deleted.status()).as(deleted.body()).isEqualTo(204);
        assertProblem(admin.get("/api/v1/admins/" + name), 404, null);
        assertProblem(admin.as(name, PASSWORD).get("/api/v1/admins"), 401, null);
        assertProblem(admin.delete("/api/v1/admins/" + name), 404, null);
    }

    @Test
    void anAdminCannotDeleteItself() {
        String name = name("self");
        create(name, "ADMIN");
        Response response = assertProblem(admin.as(name, PASSWORD).delete("/api/v1/admins/" + name.toLowerCase()), 409, null);
        assertThat(detail(response)).contains("your own account");
        assertProblem(admin.delete("/api/v1/admins/admin"), 409, null);
        assertThat(admin.get("/api/v1/admins/" + name).status()).isEqualTo(200);
    }

    @Test
    void theLastAdminCanNeitherBeDeletedNorDemoted() {
        // leave "admin" as the only ADMIN (other tests create their own, so remove those first)
        for (JsonNode a : admin.get("/api/v1/admins").json()) {
            if (a.get("role").asString().equals("ADMIN") && !a.get("username").asString().equals("admin")) {
                assertThat(admin.delete("/api/v1/admins/" + a.get("username").asString()).status()).isEqualTo(204);
            }
        }
        Response token = admin.post("/api/v1/tokens", "{\"name\": \"last admin test\", \"role\": \"ADMIN\"}");
        assertThat(token.status()).as(token.body()).isEqualTo(201);
        AdminClient automation = admin.withBearer(token.json().get("token").asString());

        Response delete = assertProblem(automation.delete("/api/v1/admins/admin"), 409, null);
        assertThat(detail(delete)).contains("last account with the ADMIN role");
        Response demote = assertProblem(admin.put("/api/v1/admins/admin", "{\"role\": \"AUDITOR\"}"), 409, null);
        assertThat(detail(demote)).contains("last account with the ADMIN role");
        assertThat(admin.get("/api/v1/admins/admin").json().get("role").asString()).isEqualTo("ADMIN");

        // with a second ADMIN both are allowed
        String second = name("second");
        create(second, "ADMIN");
        assertThat(admin.put("/api/v1/admins/admin", "{\"role\": \"AUDITOR\"}").status()).isEqualTo(200);
        assertProblem(admin.put("/api/v1/admins/admin", "{\"role\": \"ADMIN\"}"), 403, null);
        assertThat(admin.as(second, PASSWORD).put("/api/v1/admins/admin", "{\"role\": \"ADMIN\"}").status()).isEqualTo(200);
        assertThat(automation.delete("/api/v1/admins/" + second).status()).isEqualTo(204);
    }

    // ---- audit ---------------------------------------------------------------------------

    @Test
    void everyChangeIsAnAdminAuditRecordByTheActingAdminWithoutSecrets() {
        String name = name("audited");
        String next = "the next passphrase";
        create(name, "AUDITOR");
        assertThat(admin.put("/api/v1/admins/" + name, body(name, next, "ADMIN")).status()).isEqualTo(200);
        assertThat(admin.put("/api/v1/admins/" + name, "{\"role\": \"AUDITOR\"}").status()).isEqualTo(200);
        assertThat(admin.delete("/api/v1/admins/" + name).status()).isEqualTo(204);
        // refused changes leave no record
        assertProblem(admin.post("/api/v1/admins", body(name("x"), "short", "ADMIN")), 400, "password");

        List<Map<String, Object>> records = adminAudit(ferry, "/api/v1/admins/" + name);
        assertThat(records).hasSize(4);
        assertThat(records).allSatisfy(r -> {
            assertThat(r.get("username")).isEqualTo("admin");
            assertThat(r.get("remote_address")).isEqualTo("127.0.0.1");
            assertThat(r.get("status")).isEqualTo("OK");
            assertThat((String) r.get("detail")).doesNotContain(PASSWORD).doesNotContain(next).doesNotContain("$argon2");
        });
        assertThat((String) records.get(0).get("detail")).isEqualTo("created admin " + name + " with role AUDITOR");
        assertThat((String) records.get(1).get("detail")).contains("role AUDITOR -> ADMIN").contains("password changed");
        assertThat((String) records.get(2).get("detail")).contains("role ADMIN -> AUDITOR").doesNotContain("password");
        assertThat((String) records.get(3).get("detail")).isEqualTo("deleted admin " + name + " (role AUDITOR)");

        // and the audit API shows them
        Response trail = admin.get("/api/v1/audit?type=ADMIN&username=admin&size=500");
        assertThat(trail.status()).isEqualTo(200);
        assertThat(trail.body()).contains("/api/v1/admins/" + name).doesNotContain(PASSWORD).doesNotContain(next);
    }

    @Test
    void aClientCannotChooseItsAddressWithXForwardedForUnlessTheOperatorTrustsAProxy() {
        String name = name("forwarded");
        AdminClient spoofing = admin.withHeader("X-Forwarded-For", "203.0.113.50").withHeader("X-Real-IP", "203.0.113.51")
                .withHeader("Forwarded", "for=203.0.113.52");
        assertThat(spoofing.post("/api/v1/admins", body(name, PASSWORD, "AUDITOR")).status()).isEqualTo(201);
        assertThat(adminAudit(ferry, "/api/v1/admins/" + name)).singleElement()
                .satisfies(r -> assertThat(r.get("remote_address")).isEqualTo("127.0.0.1"));
    }

    // ---- helpers -------------------------------------------------------------------------

    static String name(String prefix) {
        return prefix + "-" + NAMES.incrementAndGet();
    }

    static String body(String username, String password, String role) {
        List<String> fields = new ArrayList<>();
        if (username != null) {
            fields.add("\"username\": " + quote(username));
        }
        if (password != null) {
            fields.add("\"password\": " + quote(password));
        }
        if (role != null) {
            fields.add("\"role\": " + quote(role));
        }
        return "{" + String.join(", ", fields) + "}";
    }

    static void create(String name, String role) {
        Response response = admin.post("/api/v1/admins", body(name, PASSWORD, role));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
    }

    static void assertNoSecrets(Response response) {
        assertThat(response.body()).doesNotContain("password").doesNotContain("Hash").doesNotContain("$argon2")
                .doesNotContain(PASSWORD);
    }

    static List<String> usernames(JsonNode array) {
        List<String> result = new ArrayList<>();
        array.forEach(a -> result.add(a.get("username").asString()));
        return result;
    }
}
