package dev.ferry.identity.hook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import dev.ferry.shared.WebhookSignature;
import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.AuthHookServer;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.Paramiko;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.TestPostgres;
import dev.ferry.users.SshPublicKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.sshd.common.SshException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The external authentication hook: a real HTTP server (the JDK's) answering as an identity service
 * would, and real SFTP clients: allow with a profile, deny, a hook too slow or failing, the cache of
 * answers, allowed IPs from the profile, and just-in-time users listed and audited.
 */
@ExtendWith(OutputCaptureExtension.class)
class AuthHookIT {

    static final String SECRET = "hook-secret-0123456789";
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final KeyPair PARTNER_KEY = TestKeys.ed25519();

    record Received(String body, JsonNode json, String timestamp, String signature) {
    }

    static final List<Received> received = new CopyOnWriteArrayList<>();
    static final AtomicReference<String> cachedUsersPassword = new AtomicReference<>("first-password");
    static AuthHookServer hook;
    static FerryInstance ferry;
    static AdminClient admin;

    @BeforeAll
    static void start() throws IOException {
        hook = AuthHookServer.start(AuthHookIT::answer);
        ferry = FerryInstance.start(TestPostgres.get().newDatabase(), FerryInstance.tempDir("ferry-files"), hook.settings(SECRET, Map.of(
                "sftp.auth-hook.timeout", "1s",
                "sftp.auth-hook.cache-ttl", "10m",
                "sftp.auth-hook.deny-cache-ttl", "0s")));
        admin = ferry.admin();
    }

    @AfterAll
    static void stop() {
        if (ferry != null) {
            ferry.close();
        }
        if (hook != null) {
            hook.close();
        }
    }

    /** The identity service: decides by username, as a real one decides by its own records. */
    static void answer(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        JsonNode request = JSON.readTree(body);
        received.add(new Received(body, request, exchange.getRequestHeaders().getFirst("Ferry-Timestamp"),
                exchange.getRequestHeaders().getFirst("Ferry-Signature")));
        String password = request.has("password") ? request.get("password").asString() : null;
        String key = request.has("publicKey") ? request.get("publicKey").asString() : null;
        String allow = "{\"allow\":true,\"profile\":{\"permissions\":{\"/\":[\"list\",\"download\",\"upload\"]},"
                + "\"quota\":{\"maxFiles\":5},\"allowedIps\":[\"127.0.0.0/8\"]}}";
        String deny = "{\"allow\":false,\"reason\":\"not known here\"}";
        int status = 200;
        String answer;
        switch (request.get("username").asString()) {
            case "partner1" -> answer = "pw-partner1".equals(password) || fingerprint(PARTNER_KEY).equals(key) ? allow : deny;
            case "cached1" -> answer = cachedUsersPassword.get().equals(password) ? allow : deny;
            case "elsewhere1" -> answer = "{\"allow\":true,\"profile\":{\"allowedIps\":[\"10.0.0.0/8\"]}}";
            case "slow1" -> {
                sleep(Duration.ofSeconds(3));
                answer = allow;
            }
            case "broken1" -> {
                status = 500;
                answer = "{\"allow\":true}";
            }
            case "garbled1" -> answer = "{\"allow\":\"yes\"}";
            default -> answer = deny;
        }
        byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        try {
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        } catch (IOException e) {
            // the slow answer's client has given up
        }
        exchange.close();
    }

    static String fingerprint(KeyPair pair) {
        return SshPublicKey.parse("key", TestKeys.publicLine(pair)).fingerprint();
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static List<Received> requestsFor(String username) {
        return received.stream().filter(r -> r.json().get("username").asString().equals(username)).toList();
    }

    static void refused(String username, String password) {
        assertThatThrownBy(() -> SftpTestClient.withPassword(ferry.sftpPort(), username, password).close())
                .isInstanceOf(SshException.class);
    }

    static String audit(String username) {
        return admin.get("/api/v1/audit?username=" + username + "&size=500").body();
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 60s for: " + what).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    @Test
    void anAllowedPasswordLoginGetsTheHooksProfileAndAUserRow(CapturedOutput output) throws Exception {
        try (SftpTestClient client = SftpTestClient.withPassword(ferry.sftpPort(), "partner1", "pw-partner1")) {
            client.put("/in.csv", "x".getBytes(StandardCharsets.UTF_8));
            // the profile has no mkdir
            assertThatThrownBy(() -> client.sftp().mkdir("/d")).isInstanceOf(IOException.class);
        }
        assertThat(ferry.homeOf("partner1").resolve("in.csv")).hasContent("x");

        Received request = requestsFor("partner1").stream()
                .filter(r -> r.json().has("password") && r.json().get("password").asString().equals("pw-partner1")).findFirst().orElseThrow();
        assertThat(request.json().get("clientAddress").asString()).isEqualTo("127.0.0.1");
        assertThat(request.json().get("protocol").asString()).isEqualTo("sftp");
        assertThat(request.json().has("publicKey")).isFalse();
        assertThat(request.signature()).isEqualTo(WebhookSignature.sign(SECRET, Long.parseLong(request.timestamp()), request.body()));

        JsonNode user = admin.get("/api/v1/users/partner1").json();
        assertThat(user.get("source").asString()).isEqualTo("hook");
        assertThat(user.get("hasPassword").asBoolean()).isFalse();
        assertThat(user.get("permissions").get("/").toString()).isEqualTo("[\"list\",\"download\",\"upload\"]");
        assertThat(user.get("quota").get("maxFiles").asLong()).isEqualTo(5);
        assertThat(admin.get("/api/v1/users?q=partner").body()).contains("\"partner1\"");
        await("partner1's LOGIN and UPLOAD audited", () -> audit("partner1").contains("\"LOGIN\"") && audit("partner1").contains("UPLOAD"));
        assertThat(output.getAll()).doesNotContain("pw-partner1").doesNotContain(SECRET);
    }

    @Test
    void aKeyLoginSendsTheFingerprintNotAPassword() throws Exception {
        Path work = FerryInstance.tempDir("paramiko");
        Paramiko.Outcome listed = new Paramiko(ferry.sftpPort(), "partner1", TestKeys.writePrivateKey(PARTNER_KEY, work))
                .one(work, "listdir", "/");
        assertThat(listed.ok()).as(listed.error()).isTrue();
        List<Received> keyRequests = requestsFor("partner1").stream().filter(r -> r.json().has("publicKey")).toList();
        assertThat(keyRequests).isNotEmpty().allSatisfy(r -> assertThat(r.json().has("password")).isFalse());
        assertThat(keyRequests.get(0).json().get("publicKey").asString()).isEqualTo(fingerprint(PARTNER_KEY));
        assertThatThrownBy(() -> SftpTestClient.withKey(ferry.sftpPort(), "partner1", TestKeys.ed25519()).close())
                .isInstanceOf(SshException.class);
    }

    @Test
    void deniesWrongPasswordsUnknownUsersAndAnyAnswerThatIsNotAnAllow(CapturedOutput output) throws Exception {
        refused("partner1", "wrong-password");
        refused("stranger1", "whatever");
        refused("slow1", "pw"); // the hook answers after 3s, the timeout is 1s
        refused("broken1", "pw"); // HTTP 500, whatever its body says
        refused("garbled1", "pw"); // "allow" is not a boolean
        assertThat(admin.get("/api/v1/users/slow1").status()).isEqualTo(404);
        assertThat(admin.get("/api/v1/users/broken1").status()).isEqualTo(404);
        assertThat(admin.get("/api/v1/users/stranger1").status()).isEqualTo(404);
        assertThat(output.getAll()).contains("did not answer within PT1S: refused the login of slow1")
                .contains("answered HTTP 500").doesNotContain(SECRET);
        await("the timeout audited", () -> audit("slow1").contains("hook: the auth hook did not answer within PT1S"));
    }

    @Test
    void allowsAreCachedPerCredentialAndDeniesAreNot() throws Exception {
        for (int i = 0; i < 3; i++) {
            SftpTestClient.withPassword(ferry.sftpPort(), "cached1", "first-password").close();
        }
        assertThat(requestsFor("cached1")).hasSize(1);
        // the password changed at the identity service: the new one is asked for, not answered from the old one's entry
        cachedUsersPassword.set("second-password");
        SftpTestClient.withPassword(ferry.sftpPort(), "cached1", "second-password").close();
        assertThat(requestsFor("cached1")).hasSize(2);
        // denies are asked every time (deny-cache-ttl 0s)
        refused("cached1", "third-password");
        refused("cached1", "third-password");
        assertThat(requestsFor("cached1")).hasSize(4);
    }

    @Test
    void theProfilesAllowedIpsAreEnforced() throws Exception {
        refused("elsewhere1", "pw");
        await("the refusal audited with the address", () -> audit("elsewhere1").contains("not in the user's allowed IPs"));
    }

    @Test
    void localUsersWinAndTheHookIsNotAsked() throws Exception {
        var created = admin.post("/api/v1/users", "{\"username\":\"partnerlocal\",\"password\":\"local-password-1\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        SftpTestClient.withPassword(ferry.sftpPort(), "partnerlocal", "local-password-1").close();
        refused("partnerlocal", "some-other");
        assertThat(requestsFor("partnerlocal")).isEmpty();
    }
}
