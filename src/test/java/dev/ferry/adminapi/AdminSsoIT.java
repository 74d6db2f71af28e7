package dev.ferry.adminapi;

import static dev.ferry.adminapi.ApiAssertions.adminAudit;
import static dev.ferry.adminapi.ApiAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.AdminClient.Response;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.UiScripts;
import dev.ferry.testsupport.FreePorts;
import dev.ferry.testsupport.OidcProvider;
import dev.ferry.testsupport.TestPostgres;
import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Admin single sign-on against a real OpenID provider (Spring Authorization Server,
 * {@link OidcProvider}) started by the test: its access tokens (client credentials and
 * authorization code) on the API with the role from the {@code groups} claim, tokens it would never
 * issue refused with 401 (wrong audience, issuer, key, expired, {@code alg: none}), Ferry's own
 * Basic and API tokens unchanged, and the browser login through the provider's form in Chromium
 * ({@code admin-ui/e2e/sso.e2e.mjs}). One provider and one Ferry for all cases.
 */
class AdminSsoIT {

    static OidcProvider provider;
    static FerryInstance ferry;
    static AdminClient admin;
    static String redirectUri;

    @BeforeAll
    static void start() {
        int providerPort = FreePorts.next();
        // Ferry reads the provider on first use: it starts before the provider, which needs Ferry's address.
        ferry = FerryInstance.start(TestPostgres.get().newDatabase(), FerryInstance.tempDir("ferry-files"), Map.of(
                "sftp.admin.oidc.issuer", "http://localhost:" + providerPort,
                "sftp.admin.oidc.client-id", "ferry",
                "sftp.admin.oidc.client-secret", OidcProvider.CLIENT_SECRET,
                "sftp.admin.oidc.provider-name", "Test IdP"));
        redirectUri = ferry.apiBase() + "/login/oauth2/code/oidc";
        provider = OidcProvider.start(providerPort, redirectUri);
        provider.awaitDiscovery(); // a just-started provider can be slow to answer its first request on a busy machine
        admin = ferry.admin();
    }

    @AfterAll
    static void stop() {
        if (ferry != null) {
            ferry.close();
        }
        if (provider != null) {
            provider.close();
        }
    }

    static AdminClient bearer(String token) {
        return admin.withoutCredentials().withBearer(token);
    }

    @Test
    void theLoginPageIsToldAboutSingleSignOnWithoutLoggingIn() {
        JsonNode options = admin.withoutCredentials().get("/api/v1/session/options").json();
        assertThat(options.get("password").asBoolean()).isTrue();
        assertThat(options.get("sso").get("provider").asString()).isEqualTo("Test IdP");
        assertThat(options.get("sso").get("loginUrl").asString()).isEqualTo("/oauth2/authorization/oidc");
    }

    @Test
    void aClientCredentialsTokenInFerryAdminsIsAnAdminAndItsChangesAreAuditedUnderItsIdentity() {
        AdminClient ci = bearer(provider.clientCredentialsToken("ci-admin"));
        JsonNode caller = ci.get("/api/v1/session").json();
        assertThat(caller.get("username").asString()).isEqualTo("oidc:localhost:ci-admin");
        assertThat(caller.get("role").asString()).isEqualTo("ADMIN");
        assertThat(caller.get("authenticatedBy").asString()).isEqualTo("access-token");

        Response created = ci.post("/api/v1/users", "{\"username\":\"sso-made\",\"password\":\"a-long-password-1\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.header("Set-Cookie")).as("bearer requests stay stateless").isNull();
        List<Map<String, Object>> audit = adminAudit(ferry, "/api/v1/users/sso-made");
        assertThat(audit).hasSize(1);
        assertThat(audit.get(0).get("username")).isEqualTo("oidc:localhost:ci-admin");
    }

    @Test
    void ferryAuditorsReadOnlyAndAnAccountInNoMappedGroupIsForbidden() {
        AdminClient auditor = bearer(provider.clientCredentialsToken("ci-auditor"));
        assertThat(auditor.get("/api/v1/session").json().get("role").asString()).isEqualTo("AUDITOR");
        assertThat(auditor.get("/api/v1/users").status()).isEqualTo(200);
        assertProblem(auditor.post("/api/v1/users", "{\"username\":\"nope\",\"password\":\"a-long-password-1\"}"), 403, null);

        AdminClient nobody = bearer(provider.clientCredentialsToken("ci-nobody"));
        assertProblem(nobody.get("/api/v1/users"), 403, null);
        assertProblem(nobody.get("/api/v1/session"), 403, null);
    }

    @Test
    void anAuthorizationCodeAccessTokenCarriesTheUsersGroups() throws Exception {
        assertThat(bearer(authorizationCodeToken("alice")).get("/api/v1/session").json().get("role").asString()).isEqualTo("ADMIN");
        JsonNode bob = bearer(authorizationCodeToken("bob")).get("/api/v1/session").json();
        assertThat(bob.get("role").asString()).isEqualTo("AUDITOR");
        assertThat(bob.get("username").asString()).isEqualTo("oidc:localhost:bob");
        assertProblem(bearer(authorizationCodeToken("carol")).get("/api/v1/users"), 403, null);
    }

    @Test
    void tokensTheProviderWouldNotIssueForFerryAre401NeverA500() throws Exception {
        // made like a real one, as the control: the same key, issuer and audience pass
        assertThat(bearer(provider.sign(claims().build())).get("/api/v1/users").status()).isEqualTo(200);

        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put("another application's token (wrong audience)", provider.clientCredentialsToken("other-app"));
        refused.put("wrong audience", provider.sign(claims().audience("someone-else").build()));
        refused.put("wrong issuer", provider.sign(claims().issuer("http://127.0.0.1:1/evil").build()));
        refused.put("expired", provider.sign(claims().issueTime(Date.from(Instant.now().minusSeconds(7200)))
                .expirationTime(Date.from(Instant.now().minusSeconds(3600))).build()));
        refused.put("alg none", new PlainJWT(new PlainHeader(), claims().build()).serialize());
        refused.put("signed by another key", signedByAnotherKey());
        refused.put("not a JWT", "eyJhbGciOiJSUzI1NiJ9.garbage.more");
        for (Map.Entry<String, String> token : refused.entrySet()) {
            Response response = bearer(token.getValue()).get("/api/v1/users");
            assertProblem(response, 401, null);
            assertThat(response.header("WWW-Authenticate")).as(token.getKey()).startsWith("Bearer");
            assertThat(response.body()).as(token.getKey()).doesNotContain(token.getValue());
        }
    }

    @Test
    void basicAndFerrysOwnApiTokensWorkAsBefore() {
        assertThat(admin.get("/api/v1/session").json().get("authenticatedBy").asString()).isEqualTo("basic");
        String token = admin.post("/api/v1/tokens", "{\"name\":\"sso-it\",\"role\":\"AUDITOR\"}").json().get("token").asString();
        assertThat(bearer(token).get("/api/v1/session").json().get("authenticatedBy").asString()).isEqualTo("token");
        assertProblem(bearer("ferry_" + "A".repeat(43)).get("/api/v1/users"), 401, null);
    }

    @Test
    void theAdminUiSignsInThroughTheProvidersLoginForm() throws Exception {
        UiScripts.run(ferry, "e2e/sso.e2e.mjs", Map.of("IDP_PASSWORD", OidcProvider.PASSWORD));
        // What alice did in the browser is audited under her identity at the provider.
        List<Map<String, Object>> audit = adminAudit(ferry, "/api/v1/users/sso-browser");
        assertThat(audit).hasSize(1);
        assertThat(audit.get(0).get("username")).isEqualTo("oidc:localhost:alice");
    }

    @Test
    void aProviderThatCannotBeReachedIs503ForTokensAndBackToTheLoginPageForBrowsersNever500() throws Exception {
        int closed = FreePorts.next();
        try (FerryInstance cut = FerryInstance.start(ferry.database(), ferry.storageRoot(), Map.of(
                "sftp.admin.oidc.issuer", "http://localhost:" + closed,
                "sftp.admin.oidc.client-id", "ferry"))) {
            Response token = new AdminClient(cut.apiBase(), "admin", FerryInstance.ADMIN_PASSWORD).withoutCredentials()
                    .withBearer(provider.sign(claims().build())).get("/api/v1/users");
            assertProblem(token, 503, null);
            assertThat(token.header("Retry-After")).isNotNull();
            HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
            HttpResponse<String> start = get(browser, cut.apiBase() + "/oauth2/authorization/oidc");
            assertThat(start.statusCode()).as(start.body()).isEqualTo(302);
            assertThat(start.headers().firstValue("Location").orElseThrow()).endsWith("/?sso-error=unavailable");
            // passwords and Ferry's own tokens do not depend on the provider
            assertThat(new AdminClient(cut.apiBase(), "admin", FerryInstance.ADMIN_PASSWORD).get("/api/v1/users").status()).isEqualTo(200);
        }
    }

    static JWTClaimsSet.Builder claims() {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer(provider.issuer()).subject("minted").audience("ferry")
                .claim("groups", List.of("ferry-admins")).issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)));
    }

    static String signedByAnotherKey() throws JOSEException {
        var key = new RSAKeyGenerator(2048).keyID("other").generate();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("other").build(), claims().build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    /** The authorization code flow as a browser does it: the provider's login form, then the code for a token. */
    static String authorizationCodeToken(String user) throws Exception {
        HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager()).followRedirects(HttpClient.Redirect.NEVER).build();
        String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(("verifier-" + user + "-" + System.nanoTime()
                + "-0123456789abcdefghijklmnop").getBytes(StandardCharsets.UTF_8));
        String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        String authorize = provider.issuer() + "/oauth2/authorize?response_type=code&client_id=ferry&scope=openid%20profile"
                + "&state=s1&redirect_uri=" + enc(redirectUri) + "&code_challenge=" + challenge + "&code_challenge_method=S256";
        HttpResponse<String> toLogin = get(browser, authorize);
        assertThat(toLogin.statusCode()).as(toLogin.body()).isEqualTo(302);
        HttpResponse<String> form = get(browser, provider.issuer() + "/login");
        Matcher csrf = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"").matcher(form.body());
        assertThat(csrf.find()).as(form.body()).isTrue();
        HttpResponse<String> loggedIn = browser.send(HttpRequest.newBuilder(URI.create(provider.issuer() + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=" + user + "&password=" + enc(OidcProvider.PASSWORD)
                        + "&_csrf=" + enc(csrf.group(1)))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(loggedIn.statusCode()).isEqualTo(302);
        String back = loggedIn.headers().firstValue("Location").orElseThrow();
        HttpResponse<String> withCode = get(browser, back.startsWith("http") ? back : provider.issuer() + back);
        String location = withCode.headers().firstValue("Location").orElseThrow();
        assertThat(location).as("the provider sends the browser back to Ferry").startsWith(redirectUri + "?code=");
        Matcher code = Pattern.compile("[?&]code=([^&]+)").matcher(location);
        assertThat(code.find()).isTrue();
        return provider.exchangeCode(java.net.URLDecoder.decode(code.group(1), StandardCharsets.UTF_8), redirectUri, verifier);
    }

    private static HttpResponse<String> get(HttpClient client, String url) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
