package dev.ferry.adminapi;

import static dev.ferry.adminapi.ApiAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.AdminClient.Response;
import dev.ferry.testsupport.FerryInstance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The admin UI's files as the jar serves them: index.html at / and at every client-side route,
 * the hashed bundle, all with the strict security headers; the API, actuator and OpenAPI paths
 * are never answered with the UI.
 */
class AdminUiServingIT {

    static FerryInstance ferry;
    static AdminClient anonymous;

    @BeforeAll
    static void start() {
        ferry = FerryInstance.start();
        anonymous = ferry.admin().withoutCredentials();
    }

    @AfterAll
    static void stop() {
        if (ferry != null) {
            ferry.close();
        }
    }

    static void assertSecurityHeaders(Response response) {
        assertThat(response.header("Content-Security-Policy")).isEqualTo(SecurityHeadersFilter.CSP)
                .contains("script-src 'self'", "frame-ancestors 'none'").doesNotContain("unsafe-inline");
        assertThat(response.header("X-Content-Type-Options")).isEqualTo("nosniff");
    }

    static Response html(String path) {
        return anonymous.send("GET", path, null, "text/html,application/xhtml+xml,*/*;q=0.8");
    }

    @Test
    void theUiIsServedAtTheRootWithTheSecurityHeaders() {
        Response index = html("/");
        assertThat(index.status()).isEqualTo(200);
        assertThat(index.header("Content-Type")).startsWith("text/html");
        assertThat(index.body()).contains("<div id=\"root\"></div>").contains("<script type=\"module\"");
        assertThat(index.body()).as("no inline script or style").doesNotContainPattern("<script(?![^>]*\\ssrc=)[^>]*>")
                .doesNotContain("<style").doesNotContain("style=");
        assertThat(index.header("Cache-Control")).contains("no-cache");
        assertSecurityHeaders(index);
    }

    @Test
    void clientSideRoutesFallBackToIndexHtml() {
        String index = html("/").body();
        for (String route : new String[] {"/users", "/users/acme", "/users/acme/keys", "/sessions", "/audit", "/users/new", "/users/acme.partner",
                "/users/acme.partner/keys"}) {
            Response page = html(route);
            assertThat(page.status()).as(route).isEqualTo(200);
            assertThat(page.body()).as(route).isEqualTo(index);
            assertSecurityHeaders(page);
        }
    }

    @Test
    void bundleFilesAreServedWithTheHeadersAndCachedForAYear() {
        Matcher script = Pattern.compile("src=\"(/assets/[^\"]+\\.js)\"").matcher(html("/").body());
        assertThat(script.find()).isTrue();
        Response js = anonymous.send("GET", script.group(1), null, "*/*");
        assertThat(js.status()).isEqualTo(200);
        assertThat(js.header("Content-Type")).contains("javascript");
        assertThat(js.header("Cache-Control")).contains("max-age=31536000").contains("immutable");
        assertSecurityHeaders(js);
        assertThat(anonymous.send("GET", "/assets/missing.js", null, "*/*").status()).isEqualTo(404);
        assertThat(anonymous.send("GET", "/favicon.ico", null, "*/*").status()).isEqualTo(404);
        assertThat(html("/no/such/page").status()).as("only the UI's own routes get index.html").isEqualTo(404);
    }

    @Test
    void apiActuatorAndOpenApiPathsAreNeverTheUi() {
        assertProblem(anonymous.get("/api/v1/users"), 401, null);
        Response unknownApi = ferry.admin().get("/api/v1/no-such-thing");
        assertThat(unknownApi.status()).isEqualTo(404);
        assertThat(unknownApi.body()).doesNotContain("<div id=\"root\">");
        Response unknownActuator = ferry.admin().get("/actuator/nothing");
        assertThat(unknownActuator.status()).isEqualTo(404);
        assertThat(unknownActuator.body()).doesNotContain("<div id=\"root\">");
        Response docs = anonymous.get("/v3/api-docs");
        assertThat(docs.status()).isEqualTo(200);
        assertThat(docs.json().get("paths").has("/api/v1/audit/stats")).isTrue();
        assertThat(docs.json().get("paths").has("/api/v1/session")).isTrue();
        assertThat(anonymous.get("/actuator/health").status()).isEqualTo(200);
    }

    /**
     * The admin UI's TypeScript types are generated from admin-ui/openapi.json (openapi-typescript, in the UI's
     * build), so the committed description must be what the server serves: a changed API fails here until the
     * description is regenerated, and then the UI's type check fails where the UI no longer fits the API.
     */
    @Test
    void theUisApiDescriptionIsTheServedOne() throws Exception {
        Response docs = anonymous.get("/v3/api-docs");
        assertThat(docs.status()).isEqualTo(200);
        JsonNode served = ApiDescription.normalized(docs.json());
        Path committed = ApiDescription.FILE;
        if (Files.exists(committed) && ApiDescription.MAPPER.readTree(Files.readString(committed)).equals(served)) {
            return;
        }
        if (Boolean.getBoolean("api.docs.update")) {
            Files.writeString(committed, ApiDescription.MAPPER.writeValueAsString(served) + "\n");
            fail(committed + " was rewritten from /v3/api-docs: review and commit it");
        }
        fail(committed + " is not what the server describes at /v3/api-docs; if the API changed on purpose, run "
                + "`mvn -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=AdminUiServingIT -Dapi.docs.update=true verify` "
                + "and commit it (the UI's types follow in its build)");
    }
}
