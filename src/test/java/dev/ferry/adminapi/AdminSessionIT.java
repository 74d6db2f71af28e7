package dev.ferry.adminapi;

import static dev.ferry.adminapi.ApiAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.AdminClient.Response;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.TestPostgres;
import dev.ferry.testsupport.UiBrowser;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The admin UI's login as a browser meets it: a session cookie (HttpOnly, SameSite=Strict, Secure
 * over HTTPS) with a double-submit CSRF token, logout, and the same throttling, origin check and
 * roles as HTTP Basic, which keeps working unchanged and stateless for scripts. The server trusts
 * X-Forwarded-For/-Proto from 127.0.0.1, as behind a reverse proxy.
 */
class AdminSessionIT {

    static final int MAX_FAILURES = 3;
    static final String AUDITOR_PASSWORD = "auditor-password-42";

    static FerryInstance ferry;
    static AdminClient admin;

    @BeforeAll
    static void start() {
        ferry = FerryInstance.start(TestPostgres.get().newDatabase(), FerryInstance.tempDir("ferry-files"), Map.of(
                "sftp.admin-api.login-throttle.max-failures", String.valueOf(MAX_FAILURES),
                "sftp.admin-api.login-throttle.first-block", "30s",
                "server.forward-headers-strategy", "native"));
        admin = ferry.admin();
        assertThat(admin.post("/api/v1/admins", "{\"username\":\"watcher\",\"password\":\"" + AUDITOR_PASSWORD
                + "\",\"role\":\"AUDITOR\"}").status()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        if (ferry != null) {
            ferry.close();
        }
    }

    static List<String> setCookies(Response response) {
        return response.headers().allValues("Set-Cookie");
    }

    static String setCookie(Response response, String name) {
        return setCookies(response).stream().filter(c -> c.startsWith(name + "=")).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " cookie in " + setCookies(response)));
    }

    @Test
    void withoutSingleSignOnConfiguredTheLoginPageOffersThePasswordOnly() {
        Response options = admin.withoutCredentials().get("/api/v1/session/options");
        assertThat(options.status()).isEqualTo(200);
        assertThat(options.json().get("password").asBoolean()).isTrue();
        assertThat(options.json().get("sso").isNull()).isTrue();
        // and nothing of OAuth2 login is there
        assertThat(admin.withoutCredentials().get("/oauth2/authorization/oidc").status()).isNotEqualTo(302);
    }

    @Test
    void aPasswordThatIsNotValidUnicodeIsAFailedLoginNotAnError() {
        UiBrowser browser = new UiBrowser(ferry).from("198.51.100.91");
        browser.send("GET", "/api/v1/session", null, false);
        Response login = browser.send("POST", "/api/v1/session", "{\"username\":\"admin\",\"password\":\"x\\ud800\"}", true);
        assertProblem(login, 401, null);
    }

    @Test
    void loginStartsAnHttpOnlySameSiteStrictSessionAndIssuesACsrfCookie() {
        UiBrowser browser = new UiBrowser(ferry);
        Response anonymous = browser.send("GET", "/api/v1/session", null, false);
        assertProblem(anonymous, 401, null);
        assertThat(anonymous.header("WWW-Authenticate")).as("no Basic dialog in the browser").isNull();
        assertThat(setCookie(anonymous, "XSRF-TOKEN")).contains("SameSite=Strict").doesNotContain("HttpOnly");

        Response login = browser.send("POST", "/api/v1/session", "{\"username\":\"admin\",\"password\":\""
                + FerryInstance.ADMIN_PASSWORD + "\"}", true);
        assertThat(login.status()).as(login.body()).isEqualTo(200);
        assertThat(login.json().get("username").asString()).isEqualTo("admin");
        assertThat(login.json().get("role").asString()).isEqualTo("ADMIN");
        String session = setCookie(login, "FERRY_SESSION");
        assertThat(session).contains("HttpOnly").containsIgnoringCase("SameSite=Strict").doesNotContain("Secure");
        assertThat(setCookie(login, "XSRF-TOKEN")).as("a new CSRF token at login").contains("SameSite=Strict");

        Response me = browser.send("GET", "/api/v1/session", null, false);
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.json().get("authenticatedBy").asString()).isEqualTo("session");
    }

    @Test
    void theSessionReadsFreelyButChangesNeedTheCsrfHeader() {
        UiBrowser browser = new UiBrowser(ferry);
        assertThat(browser.login("admin", FerryInstance.ADMIN_PASSWORD).status()).isEqualTo(200);
        assertThat(browser.send("GET", "/api/v1/users", null, false).status()).isEqualTo(200);

        String body = "{\"username\":\"csrf-victim\",\"password\":\"long-enough-1\"}";
        Response forged = assertProblem(browser.send("POST", "/api/v1/users", body, false), 403, null);
        assertThat(forged.json().get("detail").asString()).contains("X-XSRF-TOKEN");
        browser.headers.put("X-XSRF-TOKEN", "guessed");
        assertProblem(browser.send("POST", "/api/v1/users", body, false), 403, null);
        browser.headers.remove("X-XSRF-TOKEN");
        assertThat(admin.get("/api/v1/users/csrf-victim").status()).isEqualTo(404);

        Response created = browser.send("POST", "/api/v1/users", body, true);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(ApiAssertions.adminAudit(ferry, "/api/v1/users/csrf-victim").get(0).get("username")).isEqualTo("admin");
    }

    @Test
    void logoutEndsTheSession() {
        UiBrowser browser = new UiBrowser(ferry);
        browser.login("admin", FerryInstance.ADMIN_PASSWORD);
        assertProblem(browser.send("DELETE", "/api/v1/session", null, false), 403, null); // a forged logout is refused too
        Response logout = browser.send("DELETE", "/api/v1/session", null, true);
        assertThat(logout.status()).isEqualTo(204);
        assertThat(setCookie(logout, "FERRY_SESSION")).startsWith("FERRY_SESSION=;").contains("Expires=Thu, 01 Jan 1970");
        assertProblem(browser.send("GET", "/api/v1/users", null, false), 401, null);
    }

    @Test
    void anAuditorsSessionReadsButCannotChangeAnything() {
        UiBrowser browser = new UiBrowser(ferry);
        Response login = browser.login("watcher", AUDITOR_PASSWORD);
        assertThat(login.json().get("role").asString()).isEqualTo("AUDITOR");
        assertThat(browser.send("GET", "/api/v1/audit", null, false).status()).isEqualTo(200);
        Response refused = assertProblem(browser.send("POST", "/api/v1/users", "{\"username\":\"nope\"}", true), 403, null);
        assertThat(refused.json().get("detail").asString()).contains("may only read");
        assertThat(browser.send("DELETE", "/api/v1/session", null, true).status()).isEqualTo(204);
    }

    @Test
    void aSessionEndsWhenItsAdminIsDeletedOrChanged() {
        assertThat(admin.post("/api/v1/admins", "{\"username\":\"temp\",\"password\":\"temporary-pass-1\",\"role\":\"ADMIN\"}").status())
                .isEqualTo(201);
        UiBrowser browser = new UiBrowser(ferry);
        assertThat(browser.login("temp", "temporary-pass-1").status()).isEqualTo(200);
        assertThat(admin.put("/api/v1/admins/temp", "{\"username\":\"temp\",\"password\":\"another-pass-22\",\"role\":\"ADMIN\"}").status())
                .isEqualTo(200);
        assertProblem(browser.send("GET", "/api/v1/users", null, false), 401, null);

        assertThat(browser.login("temp", "another-pass-22").status()).isEqualTo(200);
        assertThat(admin.delete("/api/v1/admins/temp").status()).isEqualTo(204);
        assertProblem(browser.send("GET", "/api/v1/users", null, false), 401, null);
    }

    @Test
    void aLoginWithoutTheCsrfTokenIsRefused() {
        UiBrowser browser = new UiBrowser(ferry);
        Response refused = assertProblem(browser.send("POST", "/api/v1/session",
                "{\"username\":\"admin\",\"password\":\"" + FerryInstance.ADMIN_PASSWORD + "\"}", false), 403, null);
        assertThat(setCookies(refused)).noneMatch(c -> c.startsWith("FERRY_SESSION"));
    }

    @Test
    void badLoginRequestsGet400NamingTheField() {
        UiBrowser browser = new UiBrowser(ferry);
        browser.send("GET", "/api/v1/session", null, false);
        assertProblem(browser.send("POST", "/api/v1/session", "{\"username\":\"admin\"}", true), 400, "password");
        assertProblem(browser.send("POST", "/api/v1/session", "{\"password\":\"x\"}", true), 400, "username");
        assertProblem(browser.send("POST", "/api/v1/session", "{\"username\":\"admin\",\"password\":\"x\",\"remember\":true}", true),
                400, "remember");
        assertProblem(browser.send("POST", "/api/v1/session", "[]", true), 400, null);
        assertThat(assertProblem(browser.send("POST", "/api/v1/session", "{\"username\":1,\"password\":\"x\"}", true), 400, "username")
                .json().get("detail").asString()).contains("must be a string");
        assertProblem(browser.send("POST", "/api/v1/session", "{\"username\":\"admin\",\"password\":12345678}", true), 400, "password");
    }

    @Test
    void failedUiLoginsAreThrottledLikeBasicOnes() {
        UiBrowser attacker = new UiBrowser(ferry).from("198.51.100.20");
        for (int i = 0; i < MAX_FAILURES; i++) {
            Response failed = attacker.login("admin", "guess-" + i);
            assertProblem(failed, 401, "password");
            assertThat(failed.header("WWW-Authenticate")).isNull();
        }
        Response refused = assertProblem(attacker.login("admin", FerryInstance.ADMIN_PASSWORD), 429, null);
        assertThat(refused.header("Retry-After")).isNotNull();
        // Basic for that account from that address is refused as well; other addresses are not affected
        assertProblem(admin.withHeader("X-Forwarded-For", "198.51.100.20").get("/api/v1/users"), 429, null);
        assertThat(new UiBrowser(ferry).from("198.51.100.21").login("admin", FerryInstance.ADMIN_PASSWORD).status()).isEqualTo(200);
        // nor is another admin behind the same address, in the UI or with Basic
        assertThat(new UiBrowser(ferry).from("198.51.100.20").login("watcher", AUDITOR_PASSWORD).status()).isEqualTo(200);
        assertThat(admin.as("watcher", AUDITOR_PASSWORD).withHeader("X-Forwarded-For", "198.51.100.20").get("/api/v1/users").status())
                .isEqualTo(200);
    }

    @Test
    void overHttpsTheCookiesAreSecure() {
        UiBrowser browser = new UiBrowser(ferry);
        browser.headers.put("X-Forwarded-Proto", "https");
        Response first = browser.send("GET", "/api/v1/session", null, false);
        String csrf = setCookie(first, "XSRF-TOKEN");
        assertThat(csrf).contains("Secure");
        // this client speaks plain HTTP to the "proxy" and keeps Secure cookies to itself: send the token by hand
        String token = csrf.substring("XSRF-TOKEN=".length(), csrf.indexOf(';'));
        browser.headers.put("Cookie", "XSRF-TOKEN=" + token);
        browser.headers.put("X-XSRF-TOKEN", token);
        Response login = browser.send("POST", "/api/v1/session", "{\"username\":\"admin\",\"password\":\""
                + FerryInstance.ADMIN_PASSWORD + "\"}", false);
        assertThat(login.status()).as(login.body()).isEqualTo(200);
        assertThat(setCookie(login, "FERRY_SESSION")).contains("Secure");
        assertThat(setCookie(login, "XSRF-TOKEN")).contains("Secure");
    }

    @Test
    void aLoginFromAnotherOriginIsRefused() {
        UiBrowser browser = new UiBrowser(ferry);
        browser.headers.put("Origin", "https://evil.example");
        Response refused = assertProblem(browser.send("POST", "/api/v1/session",
                "{\"username\":\"admin\",\"password\":\"" + FerryInstance.ADMIN_PASSWORD + "\"}", false), 403, null);
        assertThat(setCookies(refused)).noneMatch(c -> c.startsWith("FERRY_SESSION"));
    }

    @Test
    void basicAndBearerStayStatelessAndNeedNoCsrfToken() {
        Response read = admin.get("/api/v1/users");
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.headers().allValues("Set-Cookie")).isEmpty();
        Response me = admin.get("/api/v1/session");
        assertThat(me.json().get("authenticatedBy").asString()).isEqualTo("basic");
        assertThat(me.json().get("role").asString()).isEqualTo("ADMIN");
        Response created = admin.post("/api/v1/users", "{\"username\":\"scripted\",\"password\":\"long-enough-1\"}");
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.headers().allValues("Set-Cookie")).isEmpty();
        // scripts still get the Basic challenge
        assertThat(admin.withoutCredentials().get("/api/v1/users").header("WWW-Authenticate")).startsWith("Basic");
        // a change without any credentials is unauthenticated (401), not a CSRF matter
        assertProblem(admin.withoutCredentials().post("/api/v1/users", "{\"username\":\"anon\"}"), 401, null);
        assertProblem(admin.withoutCredentials().delete("/api/v1/users/scripted"), 401, null);

        String token = admin.post("/api/v1/tokens", "{\"name\":\"ci\",\"role\":\"ADMIN\"}").json().get("token").asString();
        Response byToken = admin.withoutCredentials().withBearer(token).delete("/api/v1/users/scripted");
        assertThat(byToken.status()).isEqualTo(204);
        assertThat(admin.withoutCredentials().withBearer(token).get("/api/v1/session").json().get("authenticatedBy").asString())
                .isEqualTo("token");
    }
}
