package dev.ferry.adminapi;

import static dev.ferry.adminapi.ApiAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.AdminClient.Response;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.TestPostgres;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import tools.jackson.databind.JsonNode;

/**
 * The admin HTTP surface as an attacker meets it: login throttling (per address and account, a
 * ceiling per address, tokens never), body size limit, JSON types, no CORS, security headers,
 * closed actuator. The server trusts X-Forwarded-For/-Proto from 127.0.0.1 only
 * ({@code server.forward-headers-strategy=native} and {@code server.tomcat.remoteip.internal-proxies},
 * as the README tells operators behind a reverse proxy), which lets one test speak from several
 * client addresses and over "TLS".
 */
class HttpHardeningIT {

    static final int MAX_FAILURES = 3;
    static final int MAX_PER_ADDRESS = 8;
    static final String SECOND_ADMIN = "second-admin";
    static final String SECOND_PASSWORD = "second admin passphrase";
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    static final int LIMIT = 1024 * 1024;

    static FerryInstance ferry;
    static AdminClient admin;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() {
        ferry = FerryInstance.start(TestPostgres.get().newDatabase(), FerryInstance.tempDir("ferry-files"), Map.of(
                "sftp.admin-api.login-throttle.max-failures", String.valueOf(MAX_FAILURES),
                "sftp.admin-api.login-throttle.first-block", "2s",
                "sftp.admin-api.login-throttle.max-block", "30s",
                "sftp.admin-api.login-throttle.max-failures-per-address", String.valueOf(MAX_PER_ADDRESS),
                "server.forward-headers-strategy", "native",
                "server.tomcat.remoteip.internal-proxies", "127.0.0.1/32, ::1/128"));
        admin = ferry.admin();
        assertThat(admin.post("/api/v1/admins", "{\"username\": \"" + SECOND_ADMIN + "\", \"password\": \"" + SECOND_PASSWORD
                + "\", \"role\": \"AUDITOR\"}").status()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        if (ferry != null) {
            ferry.close();
        }
    }

    // ---- login throttling ---------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/api/v1/users/%FF", "/api/v1/users/%C0%AE/keys", "/api/v1/admins/%00"})
    void pathsTomcatCannotDecodeGetProblemDetailsNotItsHtmlPage(String path) {
        Response response = admin.get(path);
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.body()).contains("invalid %-escapes").doesNotContain("<html").doesNotContainIgnoringCase("tomcat");
        assertProblem(response, 400, null);
    }

    @Test
    void failedLoginsForOneAccountRefuseOnlyThatAccountFromThatAddressForAGrowingTime() throws Exception {
        AdminClient attacker = admin.withHeader("X-Forwarded-For", "198.51.100.7");
        for (int i = 0; i < MAX_FAILURES; i++) {
            assertProblem(attacker.as("admin", "guess number " + i).get("/api/v1/users"), 401, null);
        }
        // refused, even with the right password: a guess during the refusal learns nothing
        Response refused = assertProblem(attacker.get("/api/v1/users"), 429, null);
        long first = Long.parseLong(refused.header("Retry-After"));
        assertThat(first).isBetween(1L, 2L);
        assertThat(refused.json().get("detail").asString()).contains("for this account").contains("try again in");

        // another admin behind the same address, and the same admin elsewhere, are not affected
        assertThat(attacker.as(SECOND_ADMIN, SECOND_PASSWORD).get("/api/v1/users").status()).isEqualTo(200);
        assertThat(admin.get("/api/v1/users").status()).isEqualTo(200);
        assertThat(admin.withHeader("X-Forwarded-For", "198.51.100.8").get("/api/v1/users").status()).isEqualTo(200);
        // another account's password is checked, not refused; requests without credentials guess nothing
        assertProblem(attacker.as("nobody", "x").post("/api/v1/users", "{}"), 401, null);
        assertProblem(attacker.withoutCredentials().get("/api/v1/users"), 401, null);

        // after the refusal, one more failure is refused at once, for longer
        Thread.sleep(first * 1000 + 300);
        assertProblem(attacker.as("admin", "one more guess").get("/api/v1/users"), 401, null);
        Response again = assertProblem(attacker.get("/api/v1/users"), 429, null);
        assertThat(Long.parseLong(again.header("Retry-After"))).isGreaterThan(first).isLessThanOrEqualTo(4L);
    }

    /**
     * The NAT: a script behind an address keeps sending a wrong password for its account (or a
     * bogus token). Its account is refused; a valid token and the other admins there are not.
     */
    @Test
    void apiTokensAreNeverThrottledAndBogusOnesAre401sThatFeedNoThrottle() {
        Response created = admin.post("/api/v1/tokens", "{\"name\": \"throttle\", \"role\": \"AUDITOR\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String token = created.json().get("token").asString();
        AdminClient script = admin.withHeader("X-Forwarded-For", "203.0.113.99");
        for (int i = 0; i < 5 * MAX_PER_ADDRESS; i++) {
            assertProblem(script.withBearer("ferry_" + "A".repeat(42) + (char) ('a' + i % 26)).get("/api/v1/users"), 401, null);
            assertProblem(script.withBearer("not a token " + i).get("/api/v1/users"), 401, null);
        }
        // nothing was counted: the right password from that address is checked as usual
        assertThat(script.get("/api/v1/users").status()).isEqualTo(200);

        for (int i = 0; i < MAX_FAILURES; i++) {
            assertProblem(script.as("admin", "an old password " + i).get("/api/v1/users"), 401, null);
        }
        assertProblem(script.get("/api/v1/users"), 429, null);
        assertThat(script.withBearer(token).get("/api/v1/users").status()).isEqualTo(200);
        assertThat(script.as(SECOND_ADMIN, SECOND_PASSWORD).get("/api/v1/users").status()).isEqualTo(200);
    }

    @Test
    void aSprayOverManyAccountsFromOneAddressIsRefusedForEveryAccountThere() {
        Response created = admin.post("/api/v1/tokens", "{\"name\": \"spray\", \"role\": \"AUDITOR\"}");
        String token = created.json().get("token").asString();
        AdminClient sprayer = admin.withHeader("X-Forwarded-For", "192.0.2.77");
        for (int i = 0; i < MAX_PER_ADDRESS; i++) {
            assertProblem(sprayer.as("user" + i, "Winter2026!").get("/api/v1/users"), 401, null);
        }
        Response refused = assertProblem(sprayer.get("/api/v1/users"), 429, null);
        assertThat(refused.json().get("detail").asString()).contains("over several accounts");
        assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 3600L / MAX_PER_ADDRESS);
        assertProblem(sprayer.as(SECOND_ADMIN, SECOND_PASSWORD).get("/api/v1/users"), 429, null);
        // a token is never throttled; other addresses are not affected
        assertThat(sprayer.withBearer(token).get("/api/v1/users").status()).isEqualTo(200);
        assertThat(admin.withHeader("X-Forwarded-For", "192.0.2.78").get("/api/v1/users").status()).isEqualTo(200);
    }

    @Test
    void tokensAreCheckedBeforeTheThrottleAndCorrectPasswordsAreToldAfterBasic() {
        List<Class<?>> filters = ferry.bean(SecurityFilterChain.class).getFilters().stream().<Class<?>>map(Object::getClass).toList();
        assertThat(filters).containsSubsequence(BearerTokenFilter.class, LoginThrottleFilter.class, BasicAuthenticationFilter.class,
                LoginThrottleFilter.Checked.class);
    }

    // ---- body size ----------------------------------------------------------------------------

    @Test
    void aBodyAnnouncedLargerThanTheLimitIs413Problem() throws Exception {
        String body = "{\"username\": \"" + "a".repeat(LIMIT + LIMIT / 2) + "\"}";
        HttpResponse<String> response = HTTP.send(post("/api/v1/users", HttpRequest.BodyPublishers.ofString(body), true),
                HttpResponse.BodyHandlers.ofString());
        assertTooLarge(response);
    }

    @Test
    void aChunkedBodyLargerThanTheLimitIs413Problem() throws Exception {
        byte[] body = ("{\"username\": \"" + "a".repeat(LIMIT + LIMIT / 2) + "\"}").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> response = HTTP.send(post("/api/v1/users",
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)), true), HttpResponse.BodyHandlers.ofString());
        assertTooLarge(response);
        // nothing was created, and the server goes on serving
        assertThat(admin.get("/api/v1/users?q=aaaa").json().get("totalElements").asInt()).isZero();
    }

    @Test
    void aLargeBodyIs413EvenWithoutCredentials() throws Exception {
        String body = "x".repeat(LIMIT + 1);
        HttpResponse<String> response = HTTP.send(post("/api/v1/users", HttpRequest.BodyPublishers.ofString(body), false),
                HttpResponse.BodyHandlers.ofString());
        assertTooLarge(response);
    }

    @Test
    void aBodyUnderTheLimitIsReadAsUsual() throws Exception {
        String body = "{\"username\": \"" + "a".repeat(LIMIT - 100) + "\"}";
        HttpResponse<String> response = HTTP.send(post("/api/v1/users",
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8))), true),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.body()).contains("\"field\":\"username\"");
    }

    /**
     * A client that writes its whole request before reading the answer (Python's urllib, many
     * scripts): a 10 MiB body used to get the connection dropped under it once Tomcat had swallowed
     * 2 MB of it, and the 413 was never read.
     */
    @ParameterizedTest(name = "chunked: {0}")
    @ValueSource(booleans = {false, true})
    void aTenMebibyteBodyWrittenBeforeReadingGets413Problem(boolean chunked) throws Exception {
        byte[] body = ("{\"username\": \"" + "a".repeat(10 * 1024 * 1024) + "\"}").getBytes(StandardCharsets.US_ASCII);
        RawResponse response = rawPost("/api/v1/users", body, chunked);
        assertThat(response.status()).as(response.head()).isEqualTo(413);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.body()).contains("\"status\":413").contains("larger than " + LIMIT + " bytes");
        assertThat(response.header("Content-Length")).as("a complete answer, whatever happens to the rest of the body")
                .isEqualTo(String.valueOf(response.body().getBytes(StandardCharsets.UTF_8).length));
        assertThat(admin.get("/api/v1/users?q=aaaa").json().get("totalElements").asInt()).isZero();
    }

    // ---- JSON types -----------------------------------------------------------------------------

    static Stream<Arguments> valuesOfTheWrongJsonType() {
        String user = "{\"username\": \"typed\", ";
        return Stream.of(
                Arguments.of("POST", "/api/v1/users", "{\"username\": 123}", "username", "a string"),
                Arguments.of("POST", "/api/v1/users", "{\"username\": true}", "username", "a string"),
                Arguments.of("POST", "/api/v1/users", "{\"username\": 1.5}", "username", "a string"),
                Arguments.of("POST", "/api/v1/users", user + "\"password\": 12345678}", "password", "a string"),
                Arguments.of("POST", "/api/v1/users", user + "\"enabled\": \"true\"}", "enabled", "true or false"),
                Arguments.of("POST", "/api/v1/users", user + "\"enabled\": 1}", "enabled", "true or false"),
                Arguments.of("POST", "/api/v1/users", user + "\"maxSessions\": \"3\"}", "maxSessions", "a whole number"),
                Arguments.of("POST", "/api/v1/users", user + "\"maxSessions\": 1.5}", "maxSessions", "a whole number"),
                Arguments.of("POST", "/api/v1/users", user + "\"maxFileSize\": \"\"}", "maxFileSize", "a whole number"),
                Arguments.of("POST", "/api/v1/users", user + "\"quota\": {\"maxBytes\": \"100\"}}", "quota.maxBytes", "a whole number"),
                Arguments.of("POST", "/api/v1/users", user + "\"bandwidth\": {\"uploadBytesPerSecond\": false}}",
                        "bandwidth.uploadBytesPerSecond", "a whole number"),
                Arguments.of("POST", "/api/v1/users", user + "\"storage\": {\"type\": 1}}", "storage.type", "a string"),
                Arguments.of("POST", "/api/v1/users", user + "\"publicKeys\": [123]}", "publicKeys[0]", "a string"),
                Arguments.of("POST", "/api/v1/users", user + "\"allowedIps\": [true]}", "allowedIps[0]", "a string"),
                Arguments.of("POST", "/api/v1/users", user + "\"permissions\": {\"/\": [1]}}", "permissions./[0]", "a string"),
                Arguments.of("POST", "/api/v1/users", user + "\"expiresAt\": 1900000000}", "expiresAt", "ISO-8601"),
                Arguments.of("PUT", "/api/v1/users/typed-existing", "{\"username\": \"typed-existing\", \"maxSessions\": \"2\"}",
                        "maxSessions", "a whole number"),
                Arguments.of("POST", "/api/v1/users/typed-existing/keys", "{\"publicKey\": 42}", "publicKey", "a string"),
                Arguments.of("POST", "/api/v1/tokens", "{\"name\": 7, \"role\": \"AUDITOR\"}", "name", "a string"),
                Arguments.of("POST", "/api/v1/tokens", "{\"name\": \"t\", \"role\": \"AUDITOR\", \"expiresAt\": 4102444800}",
                        "expiresAt", "ISO-8601"),
                Arguments.of("POST", "/api/v1/admins", "{\"username\": 42, \"password\": \"a long admin passphrase\", \"role\": \"AUDITOR\"}",
                        "username", "a string"),
                Arguments.of("PUT", "/api/v1/admins/typed-admin", "{\"username\": \"typed-admin\", \"password\": 123456789012, "
                        + "\"role\": \"AUDITOR\"}", "password", "a string"));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("valuesOfTheWrongJsonType")
    void aJsonValueOfTheWrongTypeIs400NamingTheFieldAndChangesNothing(String method, String path, String body, String field,
            String expected) {
        if (admin.get("/api/v1/users/typed-existing").status() == 404) {
            assertThat(admin.post("/api/v1/users", "{\"username\": \"typed-existing\", \"password\": \"a long password\"}")
                    .status()).isEqualTo(201);
            assertThat(admin.post("/api/v1/admins", "{\"username\": \"typed-admin\", \"password\": \"a long admin passphrase\", "
                    + "\"role\": \"AUDITOR\"}").status()).isEqualTo(201);
        }
        Response response = assertProblem(admin.send(method, path, body), 400, field);
        assertThat(response.json().get("detail").asString()).contains("'" + field + "'").contains(expected);
        // no user "123" (or any other) was created, the existing one is unchanged, and so is the admin's password
        JsonNode users = admin.get("/api/v1/users?size=100").json().get("content");
        assertThat(users).singleElement().satisfies(u -> {
            assertThat(u.get("username").asString()).isEqualTo("typed-existing");
            assertThat(u.get("maxSessions").asInt()).isZero();
        });
        assertThat(admin.as("typed-admin", "a long admin passphrase").get("/api/v1/users").status())
                .as("the admin's password is unchanged").isEqualTo(200);
    }

    // ---- cross-origin ---------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"/api/v1/users", "/api/v1/admins", "/actuator/health", "/"})
    void aPreflightFromAnotherOriginIsRefused(String path) {
        Response response = admin.withoutCredentials().withHeader("Origin", "https://evil.example")
                .withHeader("Access-Control-Request-Method", "POST")
                .withHeader("Access-Control-Request-Headers", "authorization, content-type")
                .send("OPTIONS", path, null);
        assertProblem(response, 403, null);
        assertNoCors(response);
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://evil.example", "http://127.0.0.1.evil.example", "null", "file://", "::not a url"})
    void requestsFromAnotherOriginAreRefusedEvenWithCredentials(String origin) {
        AdminClient foreign = admin.withHeader("Origin", origin);
        Response read = assertProblem(foreign.get("/api/v1/users"), 403, null);
        assertNoCors(read);
        assertNoCors(assertProblem(foreign.post("/api/v1/users", "{\"username\": \"csrf\"}"), 403, null));
        assertThat(admin.get("/api/v1/users/csrf").status()).isEqualTo(404);
    }

    @Test
    void sameOriginRequestsWorkAndStillGetNoCorsHeaders() {
        Response response = admin.withHeader("Origin", ferry.apiBase()).get("/api/v1/users");
        assertThat(response.status()).isEqualTo(200);
        assertNoCors(response);
        assertNoCors(admin.get("/api/v1/users"));
    }

    // ---- headers ------------------------------------------------------------------------------------

    static Stream<Arguments> everyKindOfResponse() {
        Supplier<AdminClient> anonymous = () -> admin.withoutCredentials();
        return Stream.of(
                Arguments.of("200 health", (Supplier<Response>) () -> anonymous.get().get("/actuator/health"), 200),
                Arguments.of("200 api", (Supplier<Response>) () -> admin.get("/api/v1/users"), 200),
                Arguments.of("201 api", (Supplier<Response>) () -> admin.post("/api/v1/admins",
                        "{\"username\": \"hdr-" + System.nanoTime() + "\", \"password\": \"a long admin passphrase\", \"role\": \"AUDITOR\"}"), 201),
                Arguments.of("204 api", (Supplier<Response>) () -> admin.delete("/api/v1/tokens/" + admin.post("/api/v1/tokens",
                        "{\"name\": \"hdr\", \"role\": \"AUDITOR\"}").json().get("id").asLong()), 204),
                Arguments.of("400 json", (Supplier<Response>) () -> admin.post("/api/v1/users", "{"), 400),
                Arguments.of("400 firewall", (Supplier<Response>) () -> admin.get("/api/v1/users/a%25b"), 400),
                Arguments.of("401", (Supplier<Response>) () -> anonymous.get().get("/api/v1/users"), 401),
                Arguments.of("403 cors", (Supplier<Response>) () -> admin.withHeader("Origin", "https://evil.example").get("/api/v1/users"), 403),
                Arguments.of("404 api", (Supplier<Response>) () -> admin.get("/api/v1/users/nobody"), 404),
                Arguments.of("404 unmapped", (Supplier<Response>) () -> admin.get("/no/such/page"), 404),
                Arguments.of("405", (Supplier<Response>) () -> admin.send("PATCH", "/api/v1/users", "{}"), 405),
                Arguments.of("413", (Supplier<Response>) () -> admin.post("/api/v1/users", "x".repeat(LIMIT + 1)), 413),
                Arguments.of("openapi", (Supplier<Response>) () -> anonymous.get().get("/v3/api-docs"), 200));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyKindOfResponse")
    void everyResponseCarriesTheSecurityHeaders(String what, Supplier<Response> request, int status) {
        Response response = request.get();
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.header("Content-Security-Policy")).isEqualTo(CSP);
        assertThat(response.headers().allValues("Content-Security-Policy")).hasSize(1);
        assertThat(response.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(response.headers().allValues("X-Content-Type-Options")).hasSize(1);
        assertThat(response.header("Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(response.header("Strict-Transport-Security")).as("not over plain HTTP").isNull();
        assertNoCors(response);
    }

    @Test
    void hstsOnlyWhenTheRequestIsSecure() {
        Response secure = admin.withHeader("X-Forwarded-Proto", "https").get("/api/v1/users");
        assertThat(secure.status()).isEqualTo(200);
        assertThat(secure.header("Strict-Transport-Security")).startsWith("max-age=");
        assertThat(secure.headers().allValues("Strict-Transport-Security")).hasSize(1);
        assertThat(secure.header("Content-Security-Policy")).isEqualTo(CSP);
        assertThat(admin.get("/api/v1/users").header("Strict-Transport-Security")).isNull();
    }

    // ---- actuator -------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness"})
    void healthAndItsGroupsArePublicAndShowNoDetails(String path) {
        Response response = admin.withoutCredentials().get(path);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("status").asString()).isEqualTo("UP");
        assertThat(response.body()).doesNotContain("components").doesNotContain("details").doesNotContain("db");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/actuator", "/actuator/info", "/actuator/prometheus", "/actuator/env", "/actuator/beans",
            "/actuator/heapdump", "/actuator/health/../env", "/actuator/loggers"})
    void everyOtherActuatorPathNeedsCredentials(String path) {
        Response response = admin.withoutCredentials().get(path);
        assertThat(response.status()).as(path).isIn(400, 401);
        assertThat(response.body()).doesNotContain("spring.datasource").doesNotContain("_links");
    }

    @Test
    void anAuditorReadsTheActuatorButSensitiveEndpointsAreNotExposed() {
        assertThat(admin.post("/api/v1/admins", "{\"username\": \"ops\", \"password\": \"a long admin passphrase\", \"role\": \"AUDITOR\"}")
                .status()).isEqualTo(201);
        AdminClient auditor = admin.as("ops", "a long admin passphrase");
        assertThat(auditor.get("/actuator").status()).isEqualTo(200);
        assertThat(auditor.get("/actuator/info").status()).isEqualTo(200);
        for (String hidden : new String[] {"/actuator/env", "/actuator/beans", "/actuator/heapdump", "/actuator/shutdown"}) {
            assertThat(admin.get(hidden).status()).as(hidden).isEqualTo(404);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------

    static HttpRequest post(String path, HttpRequest.BodyPublisher body, boolean authenticated) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(ferry.apiBase() + path))
                .POST(body)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, application/problem+json");
        if (authenticated) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    ("admin:" + FerryInstance.ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8)));
        }
        return request.build();
    }

    static void assertTooLarge(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(413);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(response.body()).contains("\"status\":413").contains("larger than");
        assertThat(response.headers().firstValue("Content-Security-Policy")).hasValue(CSP);
    }

    record RawResponse(int status, String head, String body) {
        String header(String name) {
            return head.lines().filter(l -> l.regionMatches(true, 0, name + ":", 0, name.length() + 1))
                    .map(l -> l.substring(name.length() + 1).strip()).findFirst().orElse(null);
        }
    }

    /** POST over a plain socket, as curl or a script would: the whole body is written before the answer is read. */
    static RawResponse rawPost(String path, byte[] body, boolean chunked) throws IOException {
        URI base = URI.create(ferry.apiBase());
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(120_000);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 65536);
            String head = "POST " + path + " HTTP/1.1\r\nHost: " + base.getAuthority() + "\r\nAuthorization: Basic "
                    + Base64.getEncoder().encodeToString(("admin:" + FerryInstance.ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8))
                    + "\r\nContent-Type: application/json\r\nAccept: application/json\r\n"
                    + (chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + body.length + "\r\n") + "\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            for (int offset = 0; offset < body.length; offset += 65536) {
                int n = Math.min(65536, body.length - offset);
                if (chunked) {
                    out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                }
                out.write(body, offset, n);
                if (chunked) {
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
            }
            if (chunked) {
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.flush();
            byte[] answer = socket.getInputStream().readAllBytes(); // the server closes the connection after a 413
            String text = new String(answer, StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            assertThat(end).as(text).isPositive();
            String responseHead = text.substring(0, end);
            return new RawResponse(Integer.parseInt(responseHead.split(" ")[1]), responseHead, text.substring(end + 4));
        }
    }

    static void assertNoCors(Response response) {
        assertThat(response.headers().map().keySet()).noneMatch(h -> h.toLowerCase().startsWith("access-control-"));
    }
}
