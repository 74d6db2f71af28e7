package dev.ferry.adminapi;

import static dev.ferry.adminapi.ApiAssertions.adminAudit;
import static dev.ferry.adminapi.ApiAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.AdminClient.Response;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.UiScripts;
import dev.ferry.testsupport.TestPostgres;
import dev.ferry.testsupport.UiBrowser;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.imageio.ImageIO;
import org.apache.commons.codec.binary.Base32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Two-factor authentication of local admins, as the admin UI uses it over real HTTP: enrolment (QR
 * code, confirmation with a code, recovery codes shown once), login with a code, wrong and replayed
 * codes refused, a recovery code working once, throttling of wrong codes, HTTP Basic refused for an
 * admin with a second factor, required per admin and for all ({@code sftp.admin.require-mfa}, on a
 * second instance of the same database), and an ADMIN's reset. Codes are computed here by RFC 6238
 * itself (checked against the RFC's test vector), not by the library the server uses. Each test
 * logs in from an address of its own (X-Forwarded-For), so that throttling stays within it.
 */
class AdminMfaIT {

    static final String PASSWORD = "mfa-admin-password-1";
    static final int MAX_FAILURES = 3;
    static final AtomicInteger ADDRESSES = new AtomicInteger(10);

    static FerryInstance ferry;
    /** Sealing TOTP secrets at rest; every replica has the same. */
    static final String SECRET_KEY = "Zm9yLXRlc3RzLW9ubHktMzItYnl0ZXMtb2YtYWVzLWs=";
    static AdminClient admin;

    @BeforeAll
    static void start() {
        ferry = FerryInstance.start(TestPostgres.get().newDatabase(), FerryInstance.tempDir("ferry-files"), Map.of(
                "sftp.admin-api.login-throttle.max-failures", String.valueOf(MAX_FAILURES),
                "sftp.admin-api.login-throttle.first-block", "30s",
                "server.forward-headers-strategy", "native",
                // TOTP secrets sealed at rest, as in production with a key set (enrol() checks the stored form)
                "sftp.secret-key", SECRET_KEY));
        admin = ferry.admin();
    }

    @AfterAll
    static void stop() {
        if (ferry != null) {
            ferry.close();
        }
    }

    /** A browser from an address of its own, so that the login throttle of one case never meets another's. */
    static UiBrowser browser(FerryInstance instance) {
        return new UiBrowser(instance).from("198.51.100." + ADDRESSES.incrementAndGet());
    }

    // ---- RFC 6238, independently of the server's library --------------------------------------

    static long step() {
        return Instant.now().getEpochSecond() / 30;
    }

    static String totp(byte[] key, long step, int digits) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key, "HmacSHA1"));
            byte[] hash = mac.doFinal(ByteBuffer.allocate(8).putLong(step).array());
            int offset = hash[hash.length - 1] & 0xf;
            int binary = ((hash[offset] & 0x7f) << 24) | ((hash[offset + 1] & 0xff) << 16) | ((hash[offset + 2] & 0xff) << 8)
                    | (hash[offset + 3] & 0xff);
            return String.format("%0" + digits + "d", binary % (int) Math.pow(10, digits));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String totp(String base32Secret, long step) {
        return totp(new Base32().decode(base32Secret), step, 6);
    }

    @Test
    void theTestsTotpIsRfc6238() {
        // RFC 6238, Appendix B: SHA-1, T = 59 s, 8 digits
        assertThat(totp("12345678901234567890".getBytes(StandardCharsets.US_ASCII), 59 / 30, 8)).isEqualTo("94287082");
    }

    static String newAdmin(String name) {
        Response created = admin.post("/api/v1/admins", "{\"username\":\"" + name + "\",\"password\":\"" + PASSWORD + "\",\"role\":\"ADMIN\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return name;
    }

    record Enrolled(String secret, long confirmedStep, List<String> recoveryCodes) {
    }

    /** Logs in with the password and enrols an authenticator, in the given browser. */
    static Enrolled enrol(UiBrowser browser, String name) throws IOException {
        Response login = browser.login(name, PASSWORD, null);
        assertThat(login.status()).as(login.body()).isEqualTo(200);
        JsonNode enrolment = browser.send("POST", "/api/v1/session/mfa/enrolment", null).json();
        String secret = enrolment.get("secret").asString();
        assertThat(enrolment.get("otpauthUri").asString()).startsWith("otpauth://totp/").contains("secret=" + secret).contains("issuer=Ferry");
        String qr = enrolment.get("qrCode").asString();
        assertThat(qr).startsWith("data:image/png;base64,");
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(qr.substring(qr.indexOf(',') + 1))));
        assertThat(image.getWidth()).as("a QR code image").isGreaterThan(100);
        assertProblem(browser.send("POST", "/api/v1/session/mfa", "{\"code\":\"000000\"}".replace("000000",
                totp(secret, step() + 10))), 400, "code");
        long step = step();
        Response confirmed = browser.send("POST", "/api/v1/session/mfa", "{\"code\":\"" + totp(secret, step) + "\"}");
        assertThat(confirmed.status()).as(confirmed.body()).isEqualTo(200);
        List<String> codes = new ArrayList<>();
        confirmed.json().get("recoveryCodes").forEach(c -> codes.add(c.asString()));
        assertThat(codes).hasSize(10).doesNotHaveDuplicates();
        assertThat(new HashSet<>(codes)).allMatch(c -> c.matches("[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}"));
        String stored = ferry.bean(org.springframework.jdbc.core.JdbcTemplate.class)
                .queryForObject("select totp_secret from admins where username = ?", String.class, name);
        assertThat(stored).as("the secret is sealed in the database").startsWith("aes-gcm:").doesNotContain(secret);
        return new Enrolled(secret, step, codes);
    }

    @Test
    void anEnrolledAdminLogsInWithTheCurrentCodeAndNoCodeIsAcceptedTwice() throws IOException {
        String name = newAdmin("mfa-code");
        Enrolled enrolled = enrol(browser(ferry), name);
        assertThat(admin.get("/api/v1/admins/" + name).json().get("mfaEnabled").asBoolean()).isTrue();
        assertThat(adminAudit(ferry, "/api/v1/admins/" + name + "/mfa")).extracting(r -> r.get("username")).containsExactly(name);

        // each refusal from an address of its own: MAX_FAILURES failures from one would be throttled (see below)
        Response noCode = assertProblem(browser(ferry).login(name, PASSWORD, null), 401, "code");
        assertThat(noCode.json().get("title").asString()).isEqualTo("Code required");
        assertProblem(browser(ferry).login(name, "wrong-password-123", totp(enrolled.secret(), step())), 401, "password");
        String wrong = "123456".equals(totp(enrolled.secret(), step())) ? "654321" : "123456";
        assertProblem(browser(ferry).login(name, PASSWORD, wrong), 401, "code");
        // the code that confirmed the enrolment was used once already
        assertProblem(browser(ferry).login(name, PASSWORD, totp(enrolled.secret(), enrolled.confirmedStep())), 401, "code");

        UiBrowser browser = browser(ferry);

        String next = totp(enrolled.secret(), enrolled.confirmedStep() + 1); // within the window of one step either side
        Response login = browser.login(name, PASSWORD, next);
        assertThat(login.status()).as(login.body()).isEqualTo(200);
        assertThat(login.json().get("mfaEnabled").asBoolean()).isTrue();
        assertThat(browser.send("GET", "/api/v1/users", null).status()).isEqualTo(200);

        Response replayed = browser(ferry).login(name, PASSWORD, next);
        assertProblem(replayed, 401, "code");
        assertThat(replayed.json().get("detail").asString()).contains("already used");
    }

    @Test
    void aRecoveryCodeWorksOnceAndIsTypedLoosely() throws IOException {
        String name = newAdmin("mfa-recovery");
        Enrolled enrolled = enrol(browser(ferry), name);
        String first = enrolled.recoveryCodes().get(0);
        assertThat(browser(ferry).login(name, PASSWORD, first).status()).isEqualTo(200);
        assertProblem(browser(ferry).login(name, PASSWORD, first), 401, "code");
        String second = enrolled.recoveryCodes().get(1).replace("-", " ").toUpperCase();
        assertThat(browser(ferry).login(name, PASSWORD, second).status()).isEqualTo(200);
    }

    @Test
    void wrongCodesAreThrottledLikePasswords() throws IOException {
        String name = newAdmin("mfa-throttle");
        Enrolled enrolled = enrol(browser(ferry), name);
        UiBrowser guesser = browser(ferry);
        for (int i = 0; i < MAX_FAILURES; i++) {
            assertProblem(guesser.login(name, PASSWORD, String.format("%06d", i)), 401, "code");
        }
        Response refused = guesser.login(name, PASSWORD, totp(enrolled.secret(), enrolled.confirmedStep() + 1));
        assertProblem(refused, 429, null);
        assertThat(refused.header("Retry-After")).isNotNull();
        // another address is not locked out
        assertThat(browser(ferry).login(name, PASSWORD, enrolled.recoveryCodes().get(0)).status()).isEqualTo(200);
    }

    @Test
    void httpBasicIsRefusedForAnAdminWithASecondFactorWhoUsesAnApiTokenInstead() throws IOException {
        String name = newAdmin("mfa-basic");
        UiBrowser browser = browser(ferry);
        enrol(browser, name);
        Response basic = admin.as(name, PASSWORD).get("/api/v1/users");
        assertProblem(basic, 401, null);
        assertThat(basic.json().get("detail").asString()).contains("two-factor").contains("API token");
        Response token = browser.send("POST", "/api/v1/tokens", "{\"name\":\"mfa-script\",\"role\":\"AUDITOR\"}");
        assertThat(token.status()).as(token.body()).isEqualTo(201);
        assertThat(admin.withoutCredentials().withBearer(token.json().get("token").asString()).get("/api/v1/users").status())
                .isEqualTo(200);
    }

    @Test
    void anAdminRequiredToUseMfaCanOnlyEnrolUntilConfirmedThenGetsTheRole() throws IOException {
        String name = newAdmin("mfa-required");
        assertThat(admin.put("/api/v1/admins/" + name + "/mfa", "{\"required\":true}").status()).isEqualTo(204);
        assertThat(admin.get("/api/v1/admins/" + name).json().get("mfaRequired").asBoolean()).isTrue();
        assertProblem(admin.as(name, PASSWORD).get("/api/v1/users"), 401, null);

        UiBrowser browser = browser(ferry);
        Response login = browser.login(name, PASSWORD, null);
        assertThat(login.status()).as(login.body()).isEqualTo(200);
        assertThat(login.json().get("role").asString()).isEqualTo("NONE");
        assertThat(login.json().get("mfaEnrolmentRequired").asBoolean()).isTrue();
        assertProblem(browser.send("GET", "/api/v1/users", null), 403, null);
        assertProblem(browser.send("POST", "/api/v1/tokens", "{\"name\":\"sneaky\",\"role\":\"ADMIN\"}"), 403, null);

        JsonNode enrolment = browser.send("POST", "/api/v1/session/mfa/enrolment", null).json();
        Response confirmed = browser.send("POST", "/api/v1/session/mfa", "{\"code\":\"" + totp(enrolment.get("secret").asString(), step()) + "\"}");
        assertThat(confirmed.status()).as(confirmed.body()).isEqualTo(200);
        JsonNode me = browser.send("GET", "/api/v1/session", null).json();
        assertThat(me.get("role").asString()).isEqualTo("ADMIN");
        assertThat(me.get("mfaEnrolmentRequired").asBoolean()).isFalse();
        assertThat(browser.send("GET", "/api/v1/users", null).status()).isEqualTo(200);

        // an ADMIN resets a lost device: the next login enrols again
        assertThat(admin.delete("/api/v1/admins/" + name + "/mfa").status()).isEqualTo(204);
        Response again = browser(ferry).login(name, PASSWORD, null);
        assertThat(again.json().get("mfaEnrolmentRequired").asBoolean()).isTrue();
    }

    @Test
    void requireMfaForAllMakesEveryAdminWithoutOneEnrol() throws IOException {
        String name = newAdmin("mfa-everyone");
        try (FerryInstance strict = FerryInstance.start(ferry.database(), ferry.storageRoot(), Map.of(
                "sftp.admin.require-mfa", "true", "server.forward-headers-strategy", "native", "sftp.secret-key", SECRET_KEY))) {
            Response login = browser(strict).login(name, PASSWORD, null);
            assertThat(login.status()).as(login.body()).isEqualTo(200);
            assertThat(login.json().get("mfaEnrolmentRequired").asBoolean()).isTrue();
            assertThat(login.json().get("role").asString()).isEqualTo("NONE");
            assertProblem(new AdminClient(strict.apiBase(), name, PASSWORD).get("/api/v1/users"), 401, null);
        }
        // the instance without the setting lets the same admin in with the password alone
        assertThat(browser(ferry).login(name, PASSWORD, null).json().get("role").asString()).isEqualTo("ADMIN");
    }

    @Test
    void theAdminUiEnrolsWithTheQrCodeAndAsksForTheCodeAtTheNextLogin() throws Exception {
        String name = newAdmin("mfa-browser");
        UiScripts.run(ferry, "e2e/mfa.e2e.mjs", Map.of("MFA_USERNAME", name, "MFA_PASSWORD", PASSWORD));
        assertThat(admin.get("/api/v1/admins/" + name).json().get("mfaEnabled").asBoolean()).isTrue();
    }
}
