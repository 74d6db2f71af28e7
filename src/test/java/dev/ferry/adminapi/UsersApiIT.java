package dev.ferry.adminapi;

import static dev.ferry.adminapi.ApiAssertions.assertProblem;
import static dev.ferry.adminapi.ApiAssertions.detail;
import static dev.ferry.testsupport.AdminClient.quote;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.AdminClient.Response;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.SftpTestClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.sshd.common.SshException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/** The users and keys part of the admin API, over HTTP against a whole server, as a script uses it. */
class UsersApiIT {

    /** Made with ssh-keygen; the fingerprints are what {@code ssh-keygen -lf} prints. */
    static final String ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICLqqKfqAdjJkcpM0uGJnKLzUUylHXdql8bmKI+kmT2l partner laptop";
    static final String ED25519_FP = "SHA256:QQCNrNjgfqjgIKif0oCtRdOyDSHMOu0EohOrqv37UYU";
    static final String ECDSA256 = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBJ3dQPh9UMoLjAv/QR91FSUo0Wtx"
            + "30kiWfZcOQ2gGmKMg4Ojy9Aec2eWkGbJK61aXtNvAh+6LE40fvCSVKKeKhw= ec256";
    static final String ECDSA256_FP = "SHA256:ed49VT6KW3r+80I7hptE7i6/YOBFUetNptR60zm8POg";
    static final String RSA1024 = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQCuh1rrQOXabg9V32KWEfsEzZNaahmQAyVZZyE9QAoavlX2VtfloFW42g3wqOxI"
            + "tWt4zDq+k52UxJSrxd0/rzMvgXQY9h5BXlJSh/OUl3uBZH1kdC9XRtXrMzlC0NKIT86tfI1fssJ5pw86oyYQnWN1Iq7CndJLv6Z5Bq0h02mhOw== rsa1024";
    static final String DSA = "ssh-dss AAAAB3NzaC1kc3MAAACBALiLq8b6RTAVuG3sUmH5pxORL3Vx+8Qtnt/kA6wcGn6s1sO9ezg/F8iL/5Va52pFjeVUJ7MN"
            + "VkJ57DbMTXWeFVazGTLRyrA/i07vkZJMrSlYUd4pqZz+9MI2otbbyRVx16SQoh+GJy5GAoubDeCZ6/cC5dS5oUtnk4gIwfyi57VJAAAAFQDZM0LO7FSTZ0e7aFVu"
            + "tzTyoZ/WbwAAAIAqiWIyXPILPiUV8VcVUfg5g2B2WKQOd9oDTn5Y+x+BPOXi4HClQ9+UF91Oy/QM+aaPFTMNPSKpS2i0r2iNVcfIsBbiL/RFCgp8C00gVWeJzOvy"
            + "MKQyqArSm+ZWmQwBsMZ09ifuFFw+Wlk5+1J7UWaXa2WcXM0MRG8ZVwkMVbvaXAAAAIApiOGj02dp24IbklEbZLqecRtv0UZUqMvNqxTufJSomWuLO41WNHKsuEUh"
            + "3b1Zj/Lc24eYeJy6hcmy1H2Qm1prixyZ1v443fBL/UPJovUq3fiaEEAeqCsnO8x5LsArmoEhuv98xMZ3ClzdbDkrS5eeUsm3ISegHVOPKDpkjFYN9g== root@vm";

    static final String PASSWORD = "correct horse battery";
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

    // ---- authentication --------------------------------------------------------------------

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("protectedRequests")
    void answers401ProblemWithoutCredentials(String method, String path) {
        assertUnauthorized(admin.withoutCredentials().send(method, path, method.equals("GET") ? null : "{}"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("protectedRequests")
    void answers401ProblemForAWrongPasswordOrAnUnknownAdmin(String method, String path) {
        String body = method.equals("GET") ? null : "{}";
        assertUnauthorized(admin.as("admin", "wrong-password").send(method, path, body));
        assertUnauthorized(admin.as("nobody", FerryInstance.ADMIN_PASSWORD).send(method, path, body));
    }

    static Stream<Arguments> protectedRequests() {
        return Stream.of(
                Arguments.of("GET", "/api/v1/users"),
                Arguments.of("POST", "/api/v1/users"),
                Arguments.of("GET", "/api/v1/users/someone"),
                Arguments.of("DELETE", "/api/v1/users/someone"),
                Arguments.of("GET", "/api/v1/no-such-resource"),
                Arguments.of("GET", "/actuator/prometheus"));
    }

    @Test
    void unknownApiPathIs404ProblemForAnAdmin() {
        assertProblem(admin.get("/api/v1/no-such-resource"), 404, null);
    }

    // ---- create and read -------------------------------------------------------------------

    @Test
    void createAnswers201WithLocationOfTheUserAndTheUserWithAllContractFields() {
        String name = name("full");
        Response created = admin.post("/api/v1/users", """
                {"username": "%s", "password": "%s", "publicKeys": [%s], "enabled": true,
                 "expiresAt": "2030-01-02T03:04:05+02:00", "storage": {"type": "local"},
                 "quota": {"maxBytes": 1073741824, "maxFiles": 10000},
                 "permissions": {"/": ["list", "download"], "/inbox/": ["list", "upload", "mkdir"]},
                 "allowedIps": ["203.0.113.0/24", "198.51.100.7"], "maxSessions": 4}
                """.formatted(name, PASSWORD, quote(ED25519)));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.header("Location")).isEqualTo(ferry.apiBase() + "/api/v1/users/" + name);
        assertThat(created.header("Content-Type")).startsWith("application/json");

        Response got = admin.get("/api/v1/users/" + name);
        assertThat(got.status()).isEqualTo(200);
        for (Response r : List.of(created, got)) {
            JsonNode user = r.json();
            assertThat(user.get("username").asString()).isEqualTo(name);
            assertThat(user.get("hasPassword").asBoolean()).isTrue();
            assertThat(strings(user.get("publicKeys"))).containsExactly(ED25519);
            assertThat(user.get("enabled").asBoolean()).isTrue();
            assertThat(OffsetDateTime.parse(user.get("expiresAt").asString()))
                    .isEqualTo(OffsetDateTime.parse("2030-01-02T01:04:05Z"));
            assertThat(user.get("storage").get("type").asString()).isEqualTo("local");
            assertThat(user.get("quota").get("maxBytes").asLong()).isEqualTo(1073741824L);
            assertThat(user.get("quota").get("maxFiles").asLong()).isEqualTo(10000L);
            assertThat(strings(user.get("permissions").get("/"))).containsExactly("list", "download");
            assertThat(strings(user.get("permissions").get("/inbox"))).containsExactly("list", "upload", "mkdir");
            assertThat(user.get("permissions").properties()).hasSize(2);
            assertThat(strings(user.get("allowedIps"))).containsExactly("203.0.113.0/24", "198.51.100.7");
            assertThat(user.get("maxSessions").asInt()).isEqualTo(4);
            assertIsoTimeWithOffset(user.get("createdAt").asString());
            assertIsoTimeWithOffset(user.get("updatedAt").asString());
            assertNoSecrets(r);
        }
        assertThat(Files.isDirectory(ferry.homeOf(name))).isTrue();
    }

    @Test
    void createWithOnlyAUsernameGivesTheDocumentedDefaults() {
        String name = name("min");
        JsonNode user = create("{\"username\":\"" + name + "\"}");
        assertThat(user.get("hasPassword").asBoolean()).isFalse();
        assertThat(strings(user.get("publicKeys"))).isEmpty();
        assertThat(user.get("enabled").asBoolean()).isTrue();
        assertThat(user.get("expiresAt").isNull()).isTrue();
        assertThat(user.get("storage").get("type").asString()).isEqualTo("local");
        assertThat(user.get("quota").get("maxBytes").asLong()).isZero();
        assertThat(user.get("quota").get("maxFiles").asLong()).isZero();
        assertThat(user.get("permissions").properties()).hasSize(1);
        assertThat(strings(user.get("permissions").get("/"))).containsExactly("*");
        assertThat(strings(user.get("allowedIps"))).isEmpty();
        assertThat(user.get("maxSessions").asInt()).isZero();
    }

    @Test
    void getOfAnUnknownUserIs404Problem() {
        assertProblem(admin.get("/api/v1/users/" + name("ghost")), 404, null);
        assertProblem(admin.get("/api/v1/users/" + "x".repeat(300)), 404, null);
        for (String odd : List.of("a%20b", "%E2%82%AC", "a'b")) {
            assertProblem(admin.get("/api/v1/users/" + odd), 404, null);
            assertProblem(admin.get("/api/v1/users/" + odd + "/keys"), 404, null);
            assertProblem(admin.delete("/api/v1/users/" + odd), 404, null);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"a%3Bb", "a%25b", "a;b"})
    void urlsTheFirewallRefusesAre400Problem(String odd) {
        assertProblem(admin.get("/api/v1/users/" + odd), 400, null);
        assertProblem(admin.delete("/api/v1/users/" + odd), 400, null);
    }

    @Test
    void getFindsAUserRegardlessOfCase() {
        String name = name("Case");
        create("{\"username\":\"" + name + "\"}");
        Response got = admin.get("/api/v1/users/" + name.toLowerCase());
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.json().get("username").asString()).isEqualTo(name);
    }

    @Test
    void duplicateUsernameIs409RegardlessOfCase() {
        String name = name("Dup");
        create("{\"username\":\"" + name + "\"}");
        for (String again : List.of(name, name.toLowerCase(), name.toUpperCase())) {
            Response response = admin.post("/api/v1/users", "{\"username\":\"" + again + "\"}");
            assertProblem(response, 409, "username");
            assertThat(detail(response)).contains("already exists");
        }
        assertThat(admin.get("/api/v1/users?q=" + name).json().get("totalElements").asLong()).isEqualTo(1);
    }

    // ---- validation: 400 problem+json naming the field, never a 500 ------------------------

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"a/b", "..", "a..b", "-abc", ".abc", "a", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "a b", "caf\u00e9", "../etc", "a\u0000b"})
    void refusesInvalidUsernames(String username) {
        Response response = admin.post("/api/v1/users", "{\"username\":" + quote(username) + "}");
        assertProblem(response, 400, "username");
        assertThat(detail(response)).contains("2 to 64 characters from A-Z a-z 0-9 . _ -, starting with a letter or digit");
    }

    @Test
    void acceptsUsernamesOf2And64Characters() {
        create("{\"username\":\"" + "b2" + "\"}");
        create("{\"username\":\"" + "l".repeat(63) + NAMES.incrementAndGet() % 10 + "\"}");
    }

    @Test
    void refusesAMissingUsername() {
        assertProblem(admin.post("/api/v1/users", "{\"enabled\":true}"), 400, "username");
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("unknownFields")
    void refusesUnknownFieldsNamingThem(String extraJson, String field) {
        Response response = admin.post("/api/v1/users", "{\"username\":\"" + name("unk") + "\"," + extraJson + "}");
        assertProblem(response, 400, field);
        assertThat(detail(response)).contains("unknown field '" + field + "'");
    }

    static Stream<Arguments> unknownFields() {
        return Stream.of(
                Arguments.of("\"bogus\": 1", "bogus"),
                Arguments.of("\"Username\": \"x\"", "Username"),
                Arguments.of("\"quota\": {\"maxBytes\": 1, \"bogus\": 2}", "quota.bogus"),
                Arguments.of("\"storage\": {\"type\": \"local\", \"path\": \"/etc\"}", "storage.path"),
                Arguments.of("\"passwd\": \"secret123\"", "passwd"));
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"{\"username\": ", "{username: \"abc\"}", "not json", "{\"username\": \"abc\"} trailing", "{\"a\":1,}"})
    void refusesMalformedJson(String body) {
        Response response = admin.post("/api/v1/users", body);
        assertProblem(response, 400, null);
        assertThat(detail(response)).contains("JSON");
    }

    @Test
    void refusesAMissingOrNonObjectBody() {
        assertProblem(admin.send("POST", "/api/v1/users", ""), 400, null);
        assertProblem(admin.post("/api/v1/users", "[]"), 400, null);
        assertProblem(admin.post("/api/v1/users", "\"acme\""), 400, null);
        assertProblem(admin.post("/api/v1/users", "null"), 400, null);
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("wrongTypes")
    void refusesWrongJsonTypesNamingTheFieldAndTheExpectedType(String extraJson, String field, String hint) {
        Response response = admin.post("/api/v1/users", "{\"username\":\"" + name("typ") + "\"," + extraJson + "}");
        assertProblem(response, 400, field);
        assertThat(detail(response)).contains("'" + field + "'").contains(hint);
    }

    static Stream<Arguments> wrongTypes() {
        return Stream.of(
                Arguments.of("\"maxSessions\": \"abc\"", "maxSessions", "a whole number"),
                Arguments.of("\"maxSessions\": [1]", "maxSessions", "use a whole number"),
                Arguments.of("\"maxSessions\": 3000000000", "maxSessions", "out of range"),
                Arguments.of("\"publicKeys\": {\"a\": \"b\"}", "publicKeys", "use a JSON array"),
                Arguments.of("\"publicKeys\": \"" + ED25519 + "\"", "publicKeys", "use a JSON array"),
                Arguments.of("\"allowedIps\": \"10.0.0.0/8\"", "allowedIps", "use a JSON array"),
                Arguments.of("\"enabled\": \"yes\"", "enabled", "true or false"),
                Arguments.of("\"quota\": 5", "quota", "use a JSON object"),
                Arguments.of("\"quota\": {\"maxBytes\": \"lots\"}", "quota.maxBytes", "a whole number"),
                Arguments.of("\"quota\": {\"maxBytes\": 1e30}", "quota.maxBytes", "must be a whole number"),
                Arguments.of("\"storage\": \"local\"", "storage", "use a JSON object"),
                Arguments.of("\"permissions\": [\"list\"]", "permissions", "use a JSON object"),
                Arguments.of("\"expiresAt\": \"tomorrow\"", "expiresAt", "ISO-8601"),
                Arguments.of("\"expiresAt\": \"2030-01-02T03:04:05\"", "expiresAt", "ISO-8601"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badKeys")
    void refusesMalformedKeysNamingTheEntryAndCreatesNothing(String what, List<String> keys, String field, String detail) {
        String name = name("badkey");
        StringBuilder json = new StringBuilder();
        for (String key : keys) {
            json.append(json.isEmpty() ? "" : ",").append(quote(key));
        }
        Response response = admin.post("/api/v1/users", "{\"username\":\"" + name + "\",\"publicKeys\":[" + json + "]}");
        assertProblem(response, 400, field);
        assertThat(detail(response)).contains(detail);
        assertThat(admin.get("/api/v1/users/" + name).status()).isEqualTo(404);
    }

    static Stream<Arguments> badKeys() {
        String edData = ED25519.split(" ")[1];
        return Stream.of(
                Arguments.of("truncated base64", List.of("ssh-ed25519 " + edData.substring(0, 40) + " laptop"), "publicKeys[0]",
                        "truncated or corrupted"),
                Arguments.of("wrapped base64", List.of(ECDSA256, "ssh-ed25519 " + edData.substring(0, 45)), "publicKeys[1]",
                        "not valid base64"),
                Arguments.of("wrong type word", List.of("ssh-rsa " + edData + " laptop"), "publicKeys[0]",
                        "the data says 'ssh-ed25519' but the line says 'ssh-rsa'"),
                Arguments.of("unknown type word", List.of("ssh-ed448 " + edData), "publicKeys[0]", "not a supported key type"),
                Arguments.of("ssh-dss", List.of(DSA), "publicKeys[0]", "DSA keys (ssh-dss) are refused as weak"),
                Arguments.of("rsa 1024", List.of(RSA1024), "publicKeys[0]", "RSA keys need at least 2048 bits, this one has 1024"),
                Arguments.of("same key twice", List.of(ED25519, ECDSA256, ED25519.replace("partner laptop", "other comment")),
                        "publicKeys[2]", "the same key (" + ED25519_FP + ") is listed twice"),
                Arguments.of("authorized_keys options", List.of("from=\"203.0.113.0/24\",no-pty " + ED25519), "publicKeys[0]",
                        "authorized_keys options such as from= or command= are not accepted"),
                Arguments.of("empty", List.of(""), "publicKeys[0]", "the public key is empty"),
                Arguments.of("NUL in comment", List.of(ED25519 + "\u0000"), "publicKeys[0]", "control characters"));
    }

    @Test
    void refusesANullKeyEntry() {
        Response response = admin.post("/api/v1/users", "{\"username\":\"" + name("nullkey") + "\",\"publicKeys\":[null]}");
        assertProblem(response, 400, "publicKeys[0]");
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("negativeLimits")
    void refusesNegativeQuotaAndSessionLimits(String extraJson, String field) {
        Response response = admin.post("/api/v1/users", "{\"username\":\"" + name("neg") + "\"," + extraJson + "}");
        assertProblem(response, 400, field);
        assertThat(detail(response)).contains(field + " must be 0 (unlimited) or more, not -1");
    }

    static Stream<Arguments> negativeLimits() {
        return Stream.of(
                Arguments.of("\"quota\": {\"maxBytes\": -1}", "quota.maxBytes"),
                Arguments.of("\"quota\": {\"maxBytes\": 10, \"maxFiles\": -1}", "quota.maxFiles"),
                Arguments.of("\"maxSessions\": -1", "maxSessions"));
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"300.1.1.1", "10.0.0.0/33", "hostname.example", "10.0.0.0/", "2001:db8::/129", "", "localhost"})
    void refusesBadAllowedIps(String cidr) {
        Response response = admin.post("/api/v1/users",
                "{\"username\":\"" + name("ip") + "\",\"allowedIps\":[\"10.0.0.1\"," + quote(cidr) + "]}");
        assertProblem(response, 400, "allowedIps");
        assertThat(detail(response)).contains("'" + cidr + "' is not an IP address or CIDR");
    }

    @Test
    void normalisesAllowedIpsIncludingIpv6AndIpv4MappedAddresses() {
        JsonNode user = create("{\"username\":\"" + name("ip6") + "\",\"allowedIps\":"
                + "[\"2001:db8::/32\", \"::ffff:203.0.113.0/120\", \" 198.51.100.7/32 \"]}");
        assertThat(strings(user.get("allowedIps")))
                .containsExactly("2001:db8:0:0:0:0:0:0/32", "203.0.113.0/24", "198.51.100.7");
    }

    @Test
    void refusesUnknownPermissionsAndListsTheKnownOnes() {
        Response response = admin.post("/api/v1/users",
                "{\"username\":\"" + name("perm") + "\",\"permissions\":{\"/\":[\"list\",\"write\"]}}");
        assertProblem(response, 400, "permissions");
        assertThat(detail(response)).contains("unknown permission 'write' for '/'")
                .contains("use *, list, download, upload, overwrite, delete, rename, mkdir, rmdir, symlink, setstat");
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"inbox", "", "/inbox/../..", "/a\u0000b"})
    void refusesBadPermissionPaths(String path) {
        Response response = admin.post("/api/v1/users",
                "{\"username\":\"" + name("ppath") + "\",\"permissions\":{" + quote(path) + ":[\"list\"]}}");
        assertProblem(response, 400, "permissions");
    }

    @Test
    void refusesAPermissionPathGivenTwiceAfterNormalisation() {
        Response response = admin.post("/api/v1/users",
                "{\"username\":\"" + name("ptwice") + "\",\"permissions\":{\"/in\":[\"list\"],\"//in/\":[\"upload\"]}}");
        assertProblem(response, 400, "permissions");
        assertThat(detail(response)).contains("the path '/in' is given twice");
    }

    @Test
    void refusesShortPasswords() {
        Response response = admin.post("/api/v1/users", "{\"username\":\"" + name("pw") + "\",\"password\":\"short\"}");
        assertProblem(response, 400, "password");
        assertThat(detail(response)).contains("8 to 1024 characters");
    }

    @Test
    void refusesAPasswordThatIsNotValidUnicode() {
        // A lone surrogate is valid JSON but has no UTF-8 form to hash.
        Response response = admin.post("/api/v1/users", "{\"username\":\"" + name("pw") + "\",\"password\":\"long enough \\ud800 here\"}");
        assertProblem(response, 400, "password");
        assertThat(detail(response)).contains("unpaired UTF-16 surrogate");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/api/v1/users?q=%FF", "/api/v1/users?page=%C0%AE", "/api/v1/audit?username=%FF"})
    void queryParametersThatAreNotUtf8Are400(String path) {
        assertProblem(admin.get(path), 400, path.substring(path.indexOf('?') + 1, path.indexOf('=')));
    }

    @Test
    void refusesAnUnavailableStorageType() {
        Response response = admin.post("/api/v1/users", "{\"username\":\"" + name("st") + "\",\"storage\":{\"type\":\"ftp\"}}");
        assertProblem(response, 400, "storage.type");
        assertThat(detail(response)).contains("use 'local' or 's3'");
        Response bucket = admin.post("/api/v1/users",
                "{\"username\":\"" + name("st") + "\",\"storage\":{\"type\":\"local\",\"bucket\":\"b\"}}");
        assertProblem(bucket, 400, "storage");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"size=0", "size=501", "size=abc", "size=-1", "page=-1", "page=abc", "page=1.5",
            "size=99999999999", "page=2147483647&size=500", "page=5000000&size=500"})
    void refusesBadPagingWith400(String query) {
        Response response = admin.get("/api/v1/users?" + query);
        String field = query.startsWith("size") ? "size" : "page";
        assertProblem(response, 400, field);
        assertThat(detail(response)).as("the message starts with the parameter to fix").containsPattern("^'?" + field + "'? ");
    }

    // ---- replace ---------------------------------------------------------------------------

    @Test
    void putWithoutPasswordKeepsItAndPasswordLoginStillWorks() throws Exception {
        String name = name("keep");
        create("{\"username\":\"" + name + "\",\"password\":\"" + PASSWORD + "\",\"maxSessions\":2}");
        Response replaced = admin.put("/api/v1/users/" + name, "{\"username\":\"" + name + "\",\"maxSessions\":3}");
        assertThat(replaced.status()).as(replaced.body()).isEqualTo(200);
        assertThat(replaced.json().get("hasPassword").asBoolean()).isTrue();
        assertThat(replaced.json().get("maxSessions").asInt()).isEqualTo(3);
        assertNoSecrets(replaced);
        assertPasswordLoginWorks(name, PASSWORD);
    }

    @Test
    void putWithNullPasswordRemovesIt() {
        String name = name("nopw");
        create("{\"username\":\"" + name + "\",\"password\":\"" + PASSWORD + "\"}");
        Response replaced = admin.put("/api/v1/users/" + name, "{\"password\":null}");
        assertThat(replaced.status()).as(replaced.body()).isEqualTo(200);
        assertThat(replaced.json().get("hasPassword").asBoolean()).isFalse();
        assertThat(admin.get("/api/v1/users/" + name).json().get("hasPassword").asBoolean()).isFalse();
        assertThatThrownBy(() -> SftpTestClient.withPassword(ferry.sftpPort(), name, PASSWORD).close())
                .isInstanceOf(SshException.class);
    }

    @Test
    void putWithANewPasswordReplacesTheOldOne() throws Exception {
        String name = name("newpw");
        create("{\"username\":\"" + name + "\",\"password\":\"" + PASSWORD + "\"}");
        Response replaced = admin.put("/api/v1/users/" + name, "{\"password\":\"another long one\"}");
        assertThat(replaced.status()).as(replaced.body()).isEqualTo(200);
        assertNoSecrets(replaced);
        assertPasswordLoginWorks(name, "another long one");
        assertThatThrownBy(() -> SftpTestClient.withPassword(ferry.sftpPort(), name, PASSWORD).close())
                .isInstanceOf(SshException.class);
        assertProblem(admin.put("/api/v1/users/" + name, "{\"password\":\"short\"}"), 400, "password");
    }

    @Test
    void putWithoutPublicKeysKeepsThemAndAnEmptyListRemovesThem() {
        String name = name("pk");
        create("{\"username\":\"" + name + "\",\"publicKeys\":[" + quote(ED25519) + "," + quote(ECDSA256) + "]}");

        Response kept = admin.put("/api/v1/users/" + name, "{\"enabled\":true}");
        assertThat(kept.status()).as(kept.body()).isEqualTo(200);
        assertThat(strings(kept.json().get("publicKeys"))).containsExactly(ED25519, ECDSA256);
        assertThat(admin.get("/api/v1/users/" + name + "/keys").json().size()).isEqualTo(2);

        Response replaced = admin.put("/api/v1/users/" + name, "{\"publicKeys\":[" + quote(ECDSA256) + "]}");
        assertThat(replaced.status()).as(replaced.body()).isEqualTo(200);
        assertThat(strings(replaced.json().get("publicKeys"))).containsExactly(ECDSA256);

        Response removed = admin.put("/api/v1/users/" + name, "{\"publicKeys\":[]}");
        assertThat(removed.status()).as(removed.body()).isEqualTo(200);
        assertThat(strings(removed.json().get("publicKeys"))).isEmpty();
        assertThat(admin.get("/api/v1/users/" + name + "/keys").json().size()).isZero();
    }

    @Test
    void putReplacesTheWholeUserSoOmittedSettingsReturnToDefaults() {
        String name = name("repl");
        create("{\"username\":\"" + name + "\",\"allowedIps\":[\"10.0.0.0/8\"],\"maxSessions\":4,"
                + "\"permissions\":{\"/\":[\"list\"]},\"quota\":{\"maxBytes\":100}}");
        Response replaced = admin.put("/api/v1/users/" + name, "{\"enabled\":false}");
        assertThat(replaced.status()).as(replaced.body()).isEqualTo(200);
        JsonNode user = replaced.json();
        assertThat(user.get("enabled").asBoolean()).isFalse();
        assertThat(strings(user.get("allowedIps"))).isEmpty();
        assertThat(user.get("maxSessions").asInt()).isZero();
        assertThat(strings(user.get("permissions").get("/"))).containsExactly("*");
        assertThat(user.get("quota").get("maxBytes").asLong()).isZero();
    }

    @Test
    void putWithAnotherUsernameInTheBodyIs400AndChangesNothing() {
        String name = name("ren");
        create("{\"username\":\"" + name + "\",\"maxSessions\":2}");
        Response response = admin.put("/api/v1/users/" + name, "{\"username\":\"" + name + "x\",\"maxSessions\":5}");
        assertProblem(response, 400, "username");
        assertThat(detail(response)).contains("the username cannot be changed");
        assertThat(admin.get("/api/v1/users/" + name).json().get("maxSessions").asInt()).isEqualTo(2);
        assertThat(admin.get("/api/v1/users/" + name + "x").status()).isEqualTo(404);
    }

    @Test
    void invalidPutIs400AndLeavesTheUserAsItWas() {
        String name = name("inv");
        create("{\"username\":\"" + name + "\",\"publicKeys\":[" + quote(ED25519) + "],\"allowedIps\":[\"10.0.0.0/8\"]}");
        assertProblem(admin.put("/api/v1/users/" + name, "{\"allowedIps\":[\"300.1.1.1\"]}"), 400, "allowedIps");
        assertProblem(admin.put("/api/v1/users/" + name, "{\"publicKeys\":[" + quote(DSA) + "]}"), 400, "publicKeys[0]");
        assertProblem(admin.put("/api/v1/users/" + name, "{\"bogus\":1}"), 400, "bogus");
        assertProblem(admin.put("/api/v1/users/" + name, "{\"allowedIps\":"), 400, null);
        JsonNode user = admin.get("/api/v1/users/" + name).json();
        assertThat(strings(user.get("allowedIps"))).containsExactly("10.0.0.0/8");
        assertThat(strings(user.get("publicKeys"))).containsExactly(ED25519);
    }

    @Test
    void putOnAnUnknownUserIs404() {
        assertProblem(admin.put("/api/v1/users/" + name("nope"), "{\"enabled\":true}"), 404, null);
    }

    // ---- list ------------------------------------------------------------------------------

    @Test
    void listIsPagedAndFilteredByNameSortedByUsername() {
        String prefix = "lst" + NAMES.incrementAndGet() + "-";
        for (String suffix : List.of("c", "a", "B")) {
            create("{\"username\":\"" + prefix + suffix + "\"}");
        }
        Response first = admin.get("/api/v1/users?q=" + prefix.toUpperCase() + "&size=2");
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        JsonNode page = first.json();
        assertThat(fieldNames(page)).containsExactlyInAnyOrder("content", "page", "size", "totalElements");
        assertThat(page.get("page").asInt()).isZero();
        assertThat(page.get("size").asInt()).isEqualTo(2);
        assertThat(page.get("totalElements").asLong()).isEqualTo(3);
        assertThat(usernames(page)).containsExactly(prefix + "a", prefix + "B");
        assertThat(page.get("content").get(0).has("hasPassword")).isTrue();
        assertNoSecrets(first);

        JsonNode second = admin.get("/api/v1/users?q=" + prefix + "&size=2&page=1").json();
        assertThat(second.get("page").asInt()).isEqualTo(1);
        assertThat(usernames(second)).containsExactly(prefix + "c");

        JsonNode beyond = admin.get("/api/v1/users?q=" + prefix + "&size=2&page=7").json();
        assertThat(usernames(beyond)).isEmpty();
        assertThat(beyond.get("totalElements").asLong()).isEqualTo(3);
    }

    @Test
    void listDefaultsToPage0Size50AndAcceptsSize500() {
        JsonNode page = admin.get("/api/v1/users").json();
        assertThat(page.get("page").asInt()).isZero();
        assertThat(page.get("size").asInt()).isEqualTo(50);
        Response max = admin.get("/api/v1/users?size=500");
        assertThat(max.status()).isEqualTo(200);
        assertThat(max.json().get("size").asInt()).isEqualTo(500);
        assertProblem(admin.get("/api/v1/users?size=501"), 400, "size");
        assertThat(detail(admin.get("/api/v1/users?size=501"))).contains("between 1 and 500");
    }

    @Test
    void listFilterTakesUnderscoreAndPercentLiterally() {
        String n = String.valueOf(NAMES.incrementAndGet());
        create("{\"username\":\"lit" + n + "_x\"}");
        create("{\"username\":\"lit" + n + "ax\"}");
        assertThat(usernames(admin.get("/api/v1/users?q=lit" + n + "_").json())).containsExactly("lit" + n + "_x");
        assertThat(usernames(admin.get("/api/v1/users?q=lit" + n + "%25").json())).isEmpty();
        assertThat(usernames(admin.get("/api/v1/users?q=lit" + n + "%5C").json())).isEmpty();
    }

    @Test
    void listFilterWithCharactersNoUsernameHasFindsNothing() {
        for (String q : List.of("a%00b", "%27%3B--", "%E2%82%AC", "%0A")) {
            Response response = admin.get("/api/v1/users?q=" + q);
            assertThat(response.status()).as(q + ": " + response.body()).isEqualTo(200);
            assertThat(usernames(response.json())).as(q).isEmpty();
        }
    }

    // ---- delete ----------------------------------------------------------------------------

    @Test
    void deleteIs204ThenTheUserIsGoneButItsFilesStay() throws IOException {
        String name = name("del");
        create("{\"username\":\"" + name + "\",\"publicKeys\":[" + quote(ED25519) + "]}");
        Files.writeString(ferry.homeOf(name).resolve("report.csv"), "a,b\n");

        Response deleted = admin.delete("/api/v1/users/" + name);
        assertThat(deleted.status()).as(deleted.body()).isEqualTo(204);
        assertThat(deleted.body()).isEmpty();
        assertProblem(admin.get("/api/v1/users/" + name), 404, null);
        assertProblem(admin.get("/api/v1/users/" + name + "/keys"), 404, null);
        assertProblem(admin.delete("/api/v1/users/" + name), 404, null);
        assertThat(ferry.homeOf(name).resolve("report.csv")).hasContent("a,b");

        // the name is free again, without the old keys
        JsonNode again = create("{\"username\":\"" + name + "\"}");
        assertThat(strings(again.get("publicKeys"))).isEmpty();
    }

    @Test
    void deleteWithPurgeRemovesTheHome() throws IOException {
        String name = name("purge");
        create("{\"username\":\"" + name + "\"}");
        Files.createDirectories(ferry.homeOf(name).resolve("in/deep"));
        Files.writeString(ferry.homeOf(name).resolve("in/deep/file.txt"), "x");

        assertThat(admin.delete("/api/v1/users/" + name + "?purge=true").status()).isEqualTo(204);
        assertThat(ferry.homeOf(name)).doesNotExist();
        assertProblem(admin.get("/api/v1/users/" + name), 404, null);
    }

    @Test
    void deleteWithABadPurgeValueIs400AndDeletesNothing() {
        String name = name("pbad");
        create("{\"username\":\"" + name + "\"}");
        assertProblem(admin.delete("/api/v1/users/" + name + "?purge=maybe"), 400, "purge");
        assertThat(admin.get("/api/v1/users/" + name).status()).isEqualTo(200);
    }

    // ---- keys ------------------------------------------------------------------------------

    @Test
    void addedKeyHasIdAndTheFingerprintSshKeygenPrints() throws Exception {
        String name = name("kg");
        create("{\"username\":\"" + name + "\"}");
        Path dir = FerryInstance.tempDir("ferry-keygen");
        Path keyFile = dir.resolve("id_ed25519");
        run(dir, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "made by ssh-keygen", "-f", keyFile.toString());
        String publicLine = Files.readString(dir.resolve("id_ed25519.pub")).strip();
        // "256 SHA256:... comment (ED25519)"
        String expectedFingerprint = run(dir, "ssh-keygen", "-lf", dir.resolve("id_ed25519.pub").toString()).split(" ")[1];
        assertThat(expectedFingerprint).startsWith("SHA256:");

        Response added = admin.post("/api/v1/users/" + name + "/keys", "{\"publicKey\":" + quote(publicLine) + "}");
        assertThat(added.status()).as(added.body()).isEqualTo(201);
        JsonNode key = added.json();
        long id = key.get("id").asLong();
        assertThat(added.header("Location")).isEqualTo(ferry.apiBase() + "/api/v1/users/" + name + "/keys/" + id);
        assertThat(key.get("fingerprint").asString()).isEqualTo(expectedFingerprint);
        assertThat(key.get("type").asString()).isEqualTo("ssh-ed25519");
        assertThat(key.get("publicKey").asString()).isEqualTo(publicLine);
        assertThat(key.get("comment").asString()).isEqualTo("made by ssh-keygen");
        assertIsoTimeWithOffset(key.get("createdAt").asString());

        Response list = admin.get("/api/v1/users/" + name + "/keys");
        assertThat(list.status()).isEqualTo(200);
        JsonNode keys = list.json();
        assertThat(keys.isArray()).as("a plain array").isTrue();
        assertThat(keys.size()).isEqualTo(1);
        assertThat(keys.get(0).get("id").asLong()).isEqualTo(id);
        assertThat(keys.get(0).get("fingerprint").asString()).isEqualTo(expectedFingerprint);
        assertThat(strings(admin.get("/api/v1/users/" + name).json().get("publicKeys"))).containsExactly(publicLine);
    }

    @Test
    void keysGivenAtCreationAreListedWithTheirFingerprints() {
        String name = name("kc");
        create("{\"username\":\"" + name + "\",\"publicKeys\":[" + quote(ED25519) + "," + quote(ECDSA256) + "]}");
        JsonNode keys = admin.get("/api/v1/users/" + name + "/keys").json();
        assertThat(keys.isArray()).isTrue();
        List<String> fingerprints = new ArrayList<>();
        keys.forEach(k -> fingerprints.add(k.get("fingerprint").asString()));
        assertThat(fingerprints).containsExactly(ED25519_FP, ECDSA256_FP);
    }

    @Test
    void addingAKeyTheUserAlreadyHasIs409() {
        String name = name("kd");
        create("{\"username\":\"" + name + "\",\"publicKeys\":[" + quote(ED25519) + "]}");
        Response again = admin.post("/api/v1/users/" + name + "/keys",
                "{\"publicKey\":" + quote(ED25519.replace("partner laptop", "another comment")) + "}");
        assertProblem(again, 409, "publicKey");
        assertThat(detail(again)).contains(ED25519_FP).contains("already registered");
        assertThat(admin.get("/api/v1/users/" + name + "/keys").json().size()).isEqualTo(1);
    }

    @Test
    void deletingAKeyIs204AndAnUnknownKeyIs404() {
        String name = name("kx");
        create("{\"username\":\"" + name + "\"}");
        Response added = admin.post("/api/v1/users/" + name + "/keys", "{\"publicKey\":" + quote(ECDSA256) + "}");
        assertThat(added.status()).as(added.body()).isEqualTo(201);
        long id = added.json().get("id").asLong();

        Response deleted = admin.delete("/api/v1/users/" + name + "/keys/" + id);
        assertThat(deleted.status()).isEqualTo(204);
        assertThat(admin.get("/api/v1/users/" + name + "/keys").json().size()).isZero();
        assertProblem(admin.delete("/api/v1/users/" + name + "/keys/" + id), 404, null);
        assertProblem(admin.delete("/api/v1/users/" + name + "/keys/987654321"), 404, null);
        assertProblem(admin.delete("/api/v1/users/" + name + "/keys/abc"), 400, "id");
    }

    @Test
    void aKeyOfAnotherUserCannotBeDeletedThroughThisUser() {
        String owner = name("ko");
        String other = name("kt");
        create("{\"username\":\"" + owner + "\",\"publicKeys\":[" + quote(ED25519) + "]}");
        create("{\"username\":\"" + other + "\"}");
        long id = admin.get("/api/v1/users/" + owner + "/keys").json().get(0).get("id").asLong();
        assertProblem(admin.delete("/api/v1/users/" + other + "/keys/" + id), 404, null);
        assertThat(admin.get("/api/v1/users/" + owner + "/keys").json().size()).isEqualTo(1);
    }

    @Test
    void keysOfAnUnknownUserAre404() {
        String ghost = name("kghost");
        assertProblem(admin.get("/api/v1/users/" + ghost + "/keys"), 404, null);
        assertProblem(admin.post("/api/v1/users/" + ghost + "/keys", "{\"publicKey\":" + quote(ED25519) + "}"), 404, null);
        assertProblem(admin.delete("/api/v1/users/" + ghost + "/keys/1"), 404, null);
    }

    @Test
    void addingAnInvalidKeyIs400NamingPublicKey() {
        String name = name("kv");
        create("{\"username\":\"" + name + "\"}");
        String path = "/api/v1/users/" + name + "/keys";
        assertThat(detail(assertProblem(admin.post(path, "{\"publicKey\":" + quote(DSA) + "}"), 400, "publicKey")))
                .contains("DSA keys (ssh-dss) are refused");
        assertThat(detail(assertProblem(admin.post(path, "{\"publicKey\":" + quote(RSA1024) + "}"), 400, "publicKey")))
                .contains("at least 2048 bits");
        assertThat(detail(assertProblem(admin.post(path, "{\"publicKey\":" + quote(ED25519 + "\u0000") + "}"), 400, "publicKey")))
                .contains("control characters");
        assertProblem(admin.post(path, "{}"), 400, "publicKey");
        assertProblem(admin.post(path, "{\"publicKey\":null}"), 400, "publicKey");
        assertProblem(admin.post(path, "{\"publicKey\":[\"x\"]}"), 400, "publicKey");
        assertThat(detail(assertProblem(admin.post(path, "{\"publicKey\":" + quote(ED25519) + ",\"name\":\"x\"}"), 400, "name")))
                .contains("unknown field 'name'");
        assertProblem(admin.post(path, "{\"publicKey\":"), 400, null);
        assertProblem(admin.send("POST", path, ""), 400, null);
        assertThat(admin.get(path).json().size()).isZero();
    }

    // ---- operations ------------------------------------------------------------------------

    @Test
    void openApiDescribesTheUsersEndpointsWithoutCredentials() {
        Response docs = admin.withoutCredentials().get("/v3/api-docs");
        assertThat(docs.status()).as(docs.body()).isEqualTo(200);
        assertThat(docs.header("Content-Type")).startsWith("application/json");
        JsonNode paths = docs.json().get("paths");
        assertThat(docs.json().has("openapi")).isTrue();
        assertThat(paths.has("/api/v1/users")).isTrue();
        assertThat(paths.has("/api/v1/users/{username}")).isTrue();
        assertThat(paths.has("/api/v1/users/{username}/keys")).isTrue();
        assertThat(paths.has("/api/v1/users/{username}/keys/{id}")).isTrue();
        assertThat(paths.get("/api/v1/users").has("get")).isTrue();
        assertThat(paths.get("/api/v1/users").has("post")).isTrue();
        assertThat(paths.get("/api/v1/users/{username}").has("put")).isTrue();
        assertThat(paths.get("/api/v1/users/{username}").has("delete")).isTrue();
    }

    @Test
    void healthIsOpenAndPrometheusNeedsAnAdmin() throws Exception {
        Response health = admin.withoutCredentials().get("/actuator/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asString()).isEqualTo("UP");
        assertThat(admin.withoutCredentials().get("/actuator/health/liveness").status()).isEqualTo(200);
        assertThat(admin.withoutCredentials().get("/actuator/health/readiness").status()).isEqualTo(200);

        assertUnauthorized(admin.withoutCredentials().get("/actuator/prometheus"));
        // as a Prometheus server scrapes it (AdminClient asks for JSON, which this endpoint does not speak)
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(ferry.apiBase() + "/actuator/prometheus"))
                        .header("Accept", "text/plain")
                        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                                ("admin:" + FerryInstance.ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("jvm_");
    }

    // ---- helpers ---------------------------------------------------------------------------

    /** A fresh username, so that tests do not depend on each other. */
    static String name(String prefix) {
        return prefix + "-" + NAMES.incrementAndGet();
    }

    static JsonNode create(String json) {
        Response response = admin.post("/api/v1/users", json);
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json();
    }

    static void assertUnauthorized(Response response) {
        assertProblem(response, 401, null);
        assertThat(response.header("WWW-Authenticate")).startsWith("Basic");
    }

    static void assertNoSecrets(Response response) {
        assertThat(response.body()).doesNotContain("\"password\"").doesNotContain("passwordHash")
                .doesNotContain("$argon2").doesNotContain(PASSWORD);
    }

    static void assertIsoTimeWithOffset(String text) {
        assertThat(text).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})");
        OffsetDateTime.parse(text);
    }

    static void assertPasswordLoginWorks(String username, String password) throws IOException {
        try (SftpTestClient client = SftpTestClient.withPassword(ferry.sftpPort(), username, password)) {
            assertThat(client.sftp().canonicalPath(".")).isEqualTo("/");
        }
    }

    static List<String> strings(JsonNode array) {
        List<String> result = new ArrayList<>();
        array.forEach(node -> result.add(node.asString()));
        return result;
    }

    static List<String> usernames(JsonNode page) {
        List<String> result = new ArrayList<>();
        page.get("content").forEach(user -> result.add(user.get("username").asString()));
        return result;
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> result = new ArrayList<>();
        node.properties().forEach(e -> result.add(e.getKey()));
        return result;
    }

    static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }
}
