package dev.ferry.sftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.ExternalCommand;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.TestPostgres;
import dev.samstevens.totp.code.DefaultCodeGenerator;
import dev.samstevens.totp.code.HashingAlgorithm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Login policies (key+password, key+totp) against one running Ferry, with paramiko (one method at a
 * time, partial success) and OpenSSH's sftp (its password and verification-code prompts answered by
 * an SSH_ASKPASS script): neither factor alone logs in, in either order; a wrong or replayed second
 * factor is refused, audited and counted towards the bans like a wrong password; a policy change
 * counts from the next login; 20 two-factor logins from one address at once all succeed.
 */
class LoginPolicyIT {

    private static final String PASSWORD = "partner password 1";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    static FerryInstance ferry;
    static AdminClient admin;
    static Path dir;
    static KeyPair key;
    static Path keyFile;
    static Path otherKeyFile;

    @BeforeAll
    static void start() {
        // The defender's production defaults (the test instance raises them): two-factor partners behind one
        // address must not trip them, and wrong second factors must, as wrong passwords do.
        ferry = FerryInstance.start(TestPostgres.get().newDatabase(), FerryInstance.tempDir("ferry-files"),
                Map.of("sftp.defender.max-failures", "10", "sftp.defender.max-address-score", "40",
                        // TOTP secrets sealed at rest, as in production with a key set (enrol() checks the stored form)
                        "sftp.secret-key", "Zm9yLXRlc3RzLW9ubHktMzItYnl0ZXMtb2YtYWVzLWs="));
        admin = ferry.admin();
        dir = FerryInstance.tempDir("ferry-login-policy");
        key = TestKeys.ed25519();
        keyFile = TestKeys.writePrivateKey(key, dir);
        otherKeyFile = TestKeys.writePrivateKey(TestKeys.ed25519(), dir);
    }

    @AfterAll
    static void stop() {
        ferry.close();
    }

    @Test
    void keyAndPasswordNeedsBothInThatOrderWithParamiko() {
        createUser("kp", "key+password");
        assertThat(admin.get("/api/v1/users/kp").json().get("loginPolicy").asString()).isEqualTo("key+password");

        JsonNode keyOnly = login("kp", List.of("publickey"));
        assertThat(keyOnly.get("steps").get(0).get("ok").asBoolean()).as(keyOnly.toString()).isTrue();
        assertThat(remaining(keyOnly, 0)).containsExactly("password");
        assertThat(keyOnly.get("authenticated").asBoolean()).isFalse();

        JsonNode passwordOnly = login("kp", List.of("password", PASSWORD));
        assertThat(passwordOnly.get("steps").get(0).get("ok").asBoolean()).as(passwordOnly.toString()).isFalse();
        assertThat(passwordOnly.get("authenticated").asBoolean()).isFalse();
        assertThat(awaitAudit("LOGIN_FAILED", "kp", "login policy key+password: a key or certificate must come first")).isTrue();

        // The password first and the key after: the password did not count, so the key is only the first factor.
        JsonNode reversedThenKey = loginContinuing("kp", List.of(List.of("password", PASSWORD), List.of("publickey")));
        assertThat(reversedThenKey.get("authenticated").asBoolean()).as(reversedThenKey.toString()).isFalse();

        JsonNode wrong = login("kp", List.of("publickey"), List.of("password", "not the password"));
        assertThat(wrong.get("authenticated").asBoolean()).isFalse();
        assertThat(awaitAudit("LOGIN_FAILED", "kp", "wrong password after a valid key")).isTrue();

        JsonNode both = login("kp", List.of("publickey"), List.of("password", PASSWORD));
        assertThat(both.get("authenticated").asBoolean()).as(both.toString()).isTrue();
        assertThat(both.get("listed").asBoolean()).isTrue();
        assertThat(remaining(both, 1)).isEmpty();
        assertThat(awaitAudit("LOGIN", "kp", "")).isTrue();
    }

    /** An OpenSSH certificate is the key factor too, never both factors. */
    @Test
    void aCertificateIsTheKeyFactor() {
        keygen("-t", "ed25519", "-N", "", "-C", "lp-ca", "-f", "lp-ca");
        var ca = admin.post("/api/v1/user-cas", "{\"name\":\"lp-ca\",\"publicKey\":" + AdminClient.quote(read("lp-ca.pub")) + "}");
        assertThat(ca.status()).as(ca.body()).isEqualTo(201);
        createUser("kpcert", "key+password");
        keygen("-t", "ed25519", "-N", "", "-C", "kpcert-laptop", "-f", "kpcert");
        keygen("-s", "lp-ca", "-I", "kpcert-laptop", "-n", "kpcert", "-V", "-5m:+1h", "kpcert.pub");
        Map<String, Object> certificateOnly = job("kpcert", List.of(List.of("publickey")));
        certificateOnly.put("key", dir.resolve("kpcert").toString());
        certificateOnly.put("cert", dir.resolve("kpcert-cert.pub").toString());
        JsonNode alone = run(List.of(certificateOnly)).get(0);
        assertThat(remaining(alone, 0)).as(alone.toString()).containsExactly("password");
        assertThat(alone.get("authenticated").asBoolean()).isFalse();

        Map<String, Object> withPassword = new java.util.HashMap<>(certificateOnly);
        withPassword.put("steps", List.of(List.of("publickey"), List.of("password", PASSWORD)));
        JsonNode both = run(List.of(withPassword)).get(0);
        assertThat(both.get("authenticated").asBoolean()).as(both.toString()).isTrue();
        assertThat(both.get("listed").asBoolean()).isTrue();
    }

    @Test
    void keyAndPasswordWithOpenSsh() {
        createUser("kpssh", "key+password");
        assertThat(openSsh("kpssh", keyFile, PASSWORD).exitCode()).isZero();
        ExternalCommand.Result wrongPassword = openSsh("kpssh", keyFile, "not the password");
        assertThat(wrongPassword.exitCode()).as(wrongPassword.output()).isNotZero();
        ExternalCommand.Result otherKey = openSsh("kpssh", otherKeyFile, PASSWORD);
        assertThat(otherKey.exitCode()).as(otherKey.output()).isNotZero();
    }

    @Test
    void keyAndTotpAsksForAVerificationCodeAndAcceptsEachCodeOnce() {
        createUser("kt", "key+totp");
        String secret = enrol("kt");
        JsonNode view = admin.get("/api/v1/users/kt").json();
        assertThat(view.get("totpEnrolled").asBoolean()).isTrue();
        assertThat(view.toString()).doesNotContain(secret);

        JsonNode keyOnly = login("kt", List.of("publickey"));
        assertThat(remaining(keyOnly, 0)).containsExactly("keyboard-interactive");
        assertThat(keyOnly.get("authenticated").asBoolean()).isFalse();

        JsonNode wrong = login("kt", List.of("publickey"), List.of("totp", wrongCode(secret)));
        assertThat(wrong.get("authenticated").asBoolean()).as(wrong.toString()).isFalse();
        assertThat(awaitAudit("LOGIN_FAILED", "kt", "wrong or already used TOTP code after a valid key")).isTrue();

        String code = code(secret);
        JsonNode ok = login("kt", List.of("publickey"), List.of("totp", code));
        assertThat(ok.get("authenticated").asBoolean()).as(ok.toString()).isTrue();
        assertThat(ok.get("listed").asBoolean()).isTrue();
        assertThat(ok.get("prompts")).extracting(JsonNode::asString).containsExactly("Verification code: ");

        int failuresBefore = auditCount("LOGIN_FAILED", "kt");
        JsonNode replayed = login("kt", List.of("publickey"), List.of("totp", code));
        assertThat(replayed.get("authenticated").asBoolean()).as(replayed.toString()).isFalse();
        awaitCondition(() -> auditCount("LOGIN_FAILED", "kt") > failuresBefore, "the replayed code is audited");

        // Without a key, the code alone is not asked for.
        JsonNode codeOnly = login("kt", List.of("totp", code(secret)));
        assertThat(codeOnly.get("authenticated").asBoolean()).isFalse();
    }

    @Test
    void keyAndTotpWithOpenSsh() {
        createUser("ktssh", "key+totp");
        String secret = enrol("ktssh");
        ExternalCommand.Result ok = openSsh("ktssh", keyFile, code(secret));
        assertThat(ok.exitCode()).as(ok.output()).isZero();
        ExternalCommand.Result wrong = openSsh("ktssh", keyFile, wrongCode(secret));
        assertThat(wrong.exitCode()).as(wrong.output()).isNotZero();
    }

    @Test
    void keyAndTotpWithoutAnEnrolledAuthenticatorCannotLogIn() {
        createUser("ktnone", "key+totp");
        assertThat(admin.get("/api/v1/users/ktnone").json().get("totpEnrolled").asBoolean()).isFalse();
        JsonNode keyOnly = login("ktnone", List.of("publickey"));
        assertThat(keyOnly.get("steps").get(0).get("ok").asBoolean()).as(keyOnly.toString()).isFalse();
        assertThat(awaitAudit("LOGIN_FAILED", "ktnone", "login policy key+totp, but no TOTP authenticator is enrolled")).isTrue();

        // Enrolled, then removed (a lost device): locked out again until a new enrolment.
        String secret = enrol("ktnone");
        assertThat(login("ktnone", List.of("publickey"), List.of("totp", code(secret))).get("authenticated").asBoolean()).isTrue();
        assertThat(admin.delete("/api/v1/users/ktnone/totp").status()).isEqualTo(204);
        assertThat(admin.get("/api/v1/users/ktnone").json().get("totpEnrolled").asBoolean()).isFalse();
        assertThat(login("ktnone", List.of("publickey")).get("steps").get(0).get("ok").asBoolean()).isFalse();
    }

    @Test
    void policyAnyKeepsOneFactorLogins() {
        createUser("anyone", null);
        JsonNode view = admin.get("/api/v1/users/anyone").json();
        assertThat(view.get("loginPolicy").asString()).isEqualTo("any");
        assertThat(view.get("totpEnrolled").asBoolean()).isFalse();
        assertThat(login("anyone", List.of("publickey")).get("authenticated").asBoolean()).isTrue();
        assertThat(login("anyone", List.of("password", PASSWORD)).get("authenticated").asBoolean()).isTrue();
        // keyboard-interactive is no first factor: a wrong password is told "publickey,password", as before.
        JsonNode wrong = login("anyone", List.of("password", "not the password"));
        assertThat(wrong.get("steps").get(0).get("error").asString()).contains("Authentication failed");
        JsonNode interactive = login("anyone", List.of("totp", "123456"));
        assertThat(interactive.get("authenticated").asBoolean()).isFalse();
        assertThat(interactive.get("steps").get(0).get("error").asString()).contains("allowed publickey,password");
    }

    @Test
    void aPolicyChangeCountsFromTheNextLogin() {
        createUser("changing", null);
        assertThat(login("changing", List.of("publickey")).get("authenticated").asBoolean()).isTrue();
        var changed = admin.put("/api/v1/users/changing", "{\"loginPolicy\":\"key+password\"}");
        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        assertThat(changed.json().get("loginPolicy").asString()).isEqualTo("key+password");
        assertThat(remaining(login("changing", List.of("publickey")), 0)).containsExactly("password");
        // A PUT without loginPolicy keeps it (a security setting is never dropped by leaving it out).
        var kept = admin.put("/api/v1/users/changing", "{\"maxSessions\":5}");
        assertThat(kept.status()).as(kept.body()).isEqualTo(200);
        assertThat(kept.json().get("loginPolicy").asString()).isEqualTo("key+password");
        assertThat(admin.get("/api/v1/audit?type=ADMIN&size=500").body()).contains("loginPolicy");
        assertThat(admin.put("/api/v1/users/changing", "{\"loginPolicy\":\"any\"}").status()).isEqualTo(200);
        assertThat(login("changing", List.of("publickey")).get("authenticated").asBoolean()).isTrue();
    }

    /** Many partners with two factors behind one address (a NAT): none is mistaken for an attacker. */
    @Test
    void twentyTwoFactorLoginsFromOneAddressAtOnceAllSucceed() {
        List<Map<String, Object>> jobs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String username = "many" + i;
            if (i % 2 == 0) {
                createUser(username, "key+password");
                jobs.add(job(username, List.of(List.of("publickey"), List.of("password", PASSWORD))));
            } else {
                createUser(username, "key+totp");
                jobs.add(job(username, List.of(List.of("publickey"), List.of("totp", code(enrol(username))))));
            }
        }
        ArrayNode results = run(jobs);
        for (int i = 0; i < 20; i++) {
            assertThat(results.get(i).get("authenticated").asBoolean()).as("many%d: %s", i, results.get(i)).isTrue();
            assertThat(results.get(i).get("listed").asBoolean()).isTrue();
        }
        JsonNode bans = admin.get("/api/v1/bans").json();
        for (JsonNode ban : bans.has("content") ? bans.get("content") : bans) {
            boolean banned = !ban.path("bannedUntil").isNull() && !ban.path("bannedUntil").isMissingNode();
            boolean ours = ban.path("username").isNull() || ban.path("username").asString("").startsWith("many");
            assertThat(banned && ours).as("a ban of the address or of a partner: %s", ban).isFalse();
        }
        assertThat(login("many0", List.of("publickey"), List.of("password", PASSWORD)).get("authenticated").asBoolean()).isTrue();
    }

    @Test
    void wrongSecondFactorsCountTowardsTheBanLikeWrongPasswords() {
        createUser("guessed", "key+password");
        List<Map<String, Object>> guesses = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            guesses.add(job("guessed", List.of(List.of("publickey"), List.of("password", "guess " + i))));
        }
        for (JsonNode result : run(guesses)) {
            assertThat(result.get("authenticated").asBoolean()).isFalse();
        }
        assertThat(awaitAudit("LOGIN_FAILED", "guessed", "logins as guessed from 127.0.0.1 are blocked until")).isTrue();
        assertThat(login("guessed", List.of("publickey"), List.of("password", PASSWORD)).get("authenticated").asBoolean()).isFalse();
    }

    @Test
    void apiRefusesBadPoliciesAndKeepsTheSecretOutOfViews() {
        var unknown = admin.post("/api/v1/users", "{\"username\":\"badpolicy\",\"loginPolicy\":\"key+sms\"}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.body()).contains("unknown loginPolicy 'key+sms'", "'any', 'key+password', 'key+totp'");
        assertThat(admin.get("/api/v1/users/badpolicy").status()).isEqualTo(404);

        var noPassword = admin.post("/api/v1/users", "{\"username\":\"nopw\",\"loginPolicy\":\"key+password\"}");
        assertThat(noPassword.status()).isEqualTo(400);
        assertThat(noPassword.body()).contains("'key+password' needs a password");

        var notAString = admin.post("/api/v1/users", "{\"username\":\"numpolicy\",\"loginPolicy\":3}");
        assertThat(notAString.status()).isEqualTo(400);

        createUser("apiuser", "key+password");
        var removePassword = admin.put("/api/v1/users/apiuser", "{\"password\":null}");
        assertThat(removePassword.status()).isEqualTo(400);
        assertThat(removePassword.body()).contains("'key+password' needs a password");

        assertThat(admin.post("/api/v1/users/nobody-here/totp", "").status()).isEqualTo(404);
        String secret = enrol("apiuser");
        var again = admin.post("/api/v1/users/apiuser/totp", "");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.body()).contains("DELETE /api/v1/users/apiuser/totp").doesNotContain(secret);
        assertThat(admin.get("/api/v1/users?size=500").body()).doesNotContain(secret);
        String audit = admin.get("/api/v1/audit?type=ADMIN&size=500").body();
        assertThat(audit).contains("enrolled a TOTP authenticator for apiuser").doesNotContain(secret);

        var auditor = admin.post("/api/v1/admins", "{\"username\":\"lp-auditor\",\"password\":\"auditor password 1\",\"role\":\"AUDITOR\"}");
        assertThat(auditor.status()).as(auditor.body()).isEqualTo(201);
        AdminClient reader = admin.as("lp-auditor", "auditor password 1");
        assertThat(reader.post("/api/v1/users/apiuser/totp", "").status()).isEqualTo(403);
        assertThat(reader.delete("/api/v1/users/apiuser/totp").status()).isEqualTo(403);
    }

    // ---- helpers ------------------------------------------------------------------------

    /** A user with the test key and password and this policy (null: the field left out). */
    private static void createUser(String username, String policy) {
        var response = admin.post("/api/v1/users", "{\"username\":\"" + username + "\",\"password\":\"" + PASSWORD + "\","
                + "\"publicKeys\":[" + AdminClient.quote(TestKeys.publicLine(key)) + "]"
                + (policy == null ? "" : ",\"loginPolicy\":\"" + policy + "\"") + "}");
        assertThat(response.status()).as(response.body()).isEqualTo(201);
    }

    /** Enrols a TOTP authenticator through the API; returns its secret. */
    private static String enrol(String username) {
        var enrolled = admin.post("/api/v1/users/" + username + "/totp", "");
        assertThat(enrolled.status()).as(enrolled.body()).isEqualTo(201);
        String secret = enrolled.json().get("secret").asString();
        assertThat(enrolled.json().get("otpauthUri").asString()).startsWith("otpauth://totp/").contains("secret=" + secret);
        assertThat(enrolled.header("Cache-Control")).contains("no-store");
        String stored = ferry.bean(org.springframework.jdbc.core.JdbcTemplate.class).queryForObject("select f.totp_secret from "
                + "user_login_factors f join users u on u.id = f.user_id where lower(u.username) = lower(?)", String.class, username);
        assertThat(stored).as("the secret is sealed in the database").startsWith("aes-gcm:").doesNotContain(secret);
        return secret;
    }

    /** The code an authenticator app shows now. */
    private static String code(String secret) {
        return codeAt(secret, Instant.now().getEpochSecond() / 30);
    }

    /** A 6-digit code that is no code of the secret within two steps of now. */
    private static String wrongCode(String secret) {
        long now = Instant.now().getEpochSecond() / 30;
        Set<String> near = new HashSet<>();
        for (long step = now - 2; step <= now + 2; step++) {
            near.add(codeAt(secret, step));
        }
        for (int candidate = 0; ; candidate++) {
            String code = String.format("%06d", candidate);
            if (!near.contains(code)) {
                return code;
            }
        }
    }

    private static String codeAt(String secret, long step) {
        try {
            return new DefaultCodeGenerator(HashingAlgorithm.SHA1, 6).generate(secret, step);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @SafeVarargs
    private static JsonNode login(String username, List<String>... steps) {
        return loginContinuing(username, List.of(steps));
    }

    /** One connection that tries the steps in order (after a refused step too, as a client trying its methods). */
    private static JsonNode loginContinuing(String username, List<List<String>> steps) {
        Map<String, Object> job = job(username, steps);
        job.put("continue", true);
        return run(List.of(job)).get(0);
    }

    private static Map<String, Object> job(String username, List<List<String>> steps) {
        Map<String, Object> job = new java.util.HashMap<>();
        job.put("user", username);
        job.put("key", keyFile.toString());
        job.put("steps", steps);
        return job;
    }

    private static ArrayNode run(List<Map<String, Object>> jobs) {
        ExternalCommand.Result result = ExternalCommand.run(dir, List.of("/usr/bin/python3",
                Path.of("src/test/resources/clients/paramiko_two_factor.py").toAbsolutePath().toString(),
                String.valueOf(ferry.sftpPort())), JSON.writeValueAsString(jobs));
        assertThat(result.exitCode()).as(result.output()).isZero();
        String last = result.output().strip().lines().reduce((a, b) -> b).orElse("");
        return (ArrayNode) JSON.readTree(last);
    }

    private static List<String> remaining(JsonNode result, int step) {
        JsonNode remaining = result.get("steps").get(step).get("remaining");
        assertThat(remaining).as(result.toString()).isNotNull();
        List<String> methods = new ArrayList<>();
        remaining.forEach(m -> methods.add(m.asString()));
        return methods;
    }

    /**
     * OpenSSH's sftp with {@code keyFile}, answering every password or verification-code prompt with
     * {@code answer} through an SSH_ASKPASS script (no terminal needed).
     */
    private static ExternalCommand.Result openSsh(String username, Path identity, String answer) {
        Path askpass = dir.resolve("askpass-" + username + "-" + System.nanoTime() + ".sh");
        try {
            Files.writeString(askpass, "#!/bin/sh\nprintf '%s\\n' '" + answer + "'\n");
            Files.setPosixFilePermissions(askpass, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ExternalCommand.run(dir, List.of("sftp", "-o", "BatchMode=no", "-b", "-", "-P", String.valueOf(ferry.sftpPort()),
                "-F", "/dev/null", "-i", identity.toString(), "-o", "IdentitiesOnly=yes",
                "-o", "PreferredAuthentications=publickey,keyboard-interactive,password", "-o", "NumberOfPasswordPrompts=1",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                "-o", "ConnectTimeout=20", username + "@127.0.0.1"), "pwd\n",
                Map.of("SSH_ASKPASS", askpass.toString(), "SSH_ASKPASS_REQUIRE", "force", "DISPLAY", ":0"));
    }

    private static void keygen(String... args) {
        List<String> command = new ArrayList<>(List.of("ssh-keygen", "-q"));
        command.addAll(List.of(args));
        ExternalCommand.Result result = ExternalCommand.run(dir, command, "");
        assertThat(result.exitCode()).as(String.join(" ", command) + "\n" + result.output()).isZero();
    }

    private static String read(String file) {
        try {
            return Files.readString(dir.resolve(file)).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean awaitAudit(String type, String username, String detail) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(deadline)) {
            for (JsonNode record : admin.get("/api/v1/audit?type=" + type + "&username=" + username + "&size=500").json().get("content")) {
                if (record.path("detail").asString("").contains(detail)) {
                    return true;
                }
            }
            sleep(100);
        }
        return false;
    }

    private static int auditCount(String type, String username) {
        return admin.get("/api/v1/audit?type=" + type + "&username=" + username + "&size=500").json().get("content").size();
    }

    private static void awaitCondition(java.util.function.BooleanSupplier condition, String what) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as("waiting until " + what).isBefore(deadline);
            sleep(100);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
