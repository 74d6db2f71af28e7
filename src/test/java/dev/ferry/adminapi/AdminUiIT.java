package dev.ferry.adminapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.UiScripts;
import dev.ferry.testsupport.FreePorts;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.TestPostgres;
import dev.ferry.testsupport.Users;
import dev.ferry.testsupport.WebhookReceiver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.sftp.client.SftpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The admin UI end to end, in Debian's headless Chromium driven by playwright-core
 * ({@code admin-ui/e2e/admin-ui.e2e.mjs}), against a real Ferry with real OpenSSH clients. Fails,
 * never skips, when Chromium, Node or the UI's node_modules are missing. Screenshots of every page
 * land in {@code target/screenshots} (README's are copied from there). Event rules made in the UI deliver
 * to a real receiver on loopback (allowed here), and to a closed port, with retries short enough for
 * that delivery to go dead while the run watches.
 */
class AdminUiIT {

    static final Path UI = UiScripts.UI;
    static final String AUDITOR_PASSWORD = "auditor-password-e2e";

    static FerryInstance ferry;
    static AdminClient admin;
    static Path work;
    static WebhookReceiver receiver;

    @BeforeAll
    static void start() throws Exception {
        String chromium = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
        assertThat(Path.of(chromium)).as("Chromium is needed for the admin UI's end-to-end test: apt-get install chromium "
                + "(or set CHROMIUM to its path)").isExecutable();
        assertThat(UI.resolve("node_modules/playwright-core")).as("admin-ui/node_modules is installed by the Maven build (npm ci)")
                .isDirectory();
        ferry = FerryInstance.start(TestPostgres.get().newDatabase(), FerryInstance.tempDir("ferry-files"), Map.of(
                "sftp.events.allow-private-targets", "true",
                "sftp.events.poll-interval", "100ms",
                "sftp.events.webhook.timeout", "2s",
                "sftp.events.retry.initial-interval", "200ms",
                "sftp.events.retry.max-interval", "1s",
                "sftp.events.retry.max-age", "4s"));
        receiver = WebhookReceiver.start();
        admin = ferry.admin();
        assertThat(admin.post("/api/v1/admins", "{\"username\":\"auditor\",\"password\":\"" + AUDITOR_PASSWORD
                + "\",\"role\":\"AUDITOR\"}").status()).isEqualTo(201);
        work = Files.createTempDirectory("ferry-ui-e2e");
    }

    @AfterAll
    static void stop() throws IOException {
        if (ferry != null) {
            ferry.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    static String run(Path dir, String... command) throws Exception {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + "\n" + output).isZero();
        return output;
    }

    /** {@code ssh-keygen -l}'s SHA256 fingerprint of a public key file. */
    static String fingerprint(Path pub) throws Exception {
        return run(work, "ssh-keygen", "-l", "-E", "sha256", "-f", pub.toString()).split(" ")[1];
    }

    @Test
    void anAdminProvisionsAUserWhoUploadsAndTheAuditorOnlyWatches() throws Exception {
        Path key = work.resolve("id_e2e");
        run(work, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "partner@e2e", "-f", key.toString());
        Path extra = work.resolve("id_extra");
        run(work, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "extra@e2e", "-f", extra.toString());
        byte[] data = new byte[200_000];
        new Random(6).nextBytes(data);
        Path upload = work.resolve("report.csv");
        Files.write(upload, data);
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        Path screenshots = UiScripts.screenshots();
        Path secretFile = work.resolve("webhook-secret");

        UiScripts.run(ferry, "e2e/admin-ui.e2e.mjs", Map.ofEntries(
                Map.entry("FERRY_SFTP_PORT", String.valueOf(ferry.sftpPort())),
                Map.entry("ADMIN_USERNAME", "admin"),
                Map.entry("ADMIN_PASSWORD", FerryInstance.ADMIN_PASSWORD),
                Map.entry("AUDITOR_USERNAME", "auditor"),
                Map.entry("AUDITOR_PASSWORD", AUDITOR_PASSWORD),
                Map.entry("KEY_FILE", key.toString()),
                Map.entry("KEY_FINGERPRINT", fingerprint(Path.of(key + ".pub"))),
                Map.entry("EXTRA_PUB_FILE", extra + ".pub"),
                Map.entry("EXTRA_FINGERPRINT", fingerprint(Path.of(extra + ".pub"))),
                Map.entry("UPLOAD_FILE", upload.toString()),
                Map.entry("UPLOAD_SHA256", sha256),
                Map.entry("WEBHOOK_URL", receiver.url("/ferry")),
                Map.entry("DEAD_WEBHOOK_URL", "http://127.0.0.1:" + FreePorts.next() + "/nobody-listens"),
                Map.entry("SECRET_FILE", secretFile.toString())));

        // What the browser did is really there.
        JsonNode user = admin.get("/api/v1/users/e2e-partner").json();
        assertThat(user.get("quota").get("maxBytes").asLong()).isEqualTo(104_857_600L); // shown as 100 MiB (e2e checks)
        assertThat(user.get("permissions").has("/inbox")).isTrue();
        assertThat(user.get("allowedIps").size()).isEqualTo(2);
        assertThat(admin.get("/api/v1/users/e2e-partner/keys").json().size()).isEqualTo(1);
        JsonNode uploads = admin.get("/api/v1/audit?username=e2e-partner&type=UPLOAD").json().get("content");
        assertThat(uploads.get(0).get("path").asString()).isEqualTo("/report.csv");
        assertThat(uploads.get(0).get("sha256").asString()).isEqualTo(sha256);
        assertThat(Files.readAllBytes(ferry.homeOf("e2e-partner").resolve("report.csv"))).isEqualTo(data);
        // The secret the UI showed once is the one the upload's delivery was signed with.
        String secret = Files.readString(secretFile);
        List<WebhookReceiver.Request> hooks = receiver.requests(r -> r.path().equals("/ferry") && r.body().contains("/report.csv"));
        assertThat(hooks).as("the upload delivered to the e2e-hook rule's receiver").isNotEmpty();
        WebhookReceiver.Request hook = hooks.get(0);
        Mac hmac = Mac.getInstance("HmacSHA256"); // the README's recipe: HMAC-SHA256 of "<timestamp>.<body>"
        hmac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String signed = hook.header("Ferry-Timestamp") + "." + hook.body();
        assertThat(hook.header("Ferry-Signature")).isEqualTo("sha256=" + HexFormat.of().formatHex(hmac.doFinal(signed.getBytes(StandardCharsets.UTF_8))));
        JsonNode rules = admin.get("/api/v1/event-rules").json();
        assertThat(rules.toString()).doesNotContain(secret).doesNotContain("a-secret-typed-by-the-admin");
        assertThat(rules.findValuesAsString("name")).contains("e2e-hook", "e2e-dead");
        for (String page : List.of("login", "dashboard", "users", "user", "keys", "sessions", "audit", "events", "event-rule-created",
                "deliveries")) {
            assertThat(screenshots.resolve(page + "-1280.png")).isNotEmptyFile();
            assertThat(screenshots.resolve(page + "-390.png")).isNotEmptyFile();
        }
    }

    /**
     * Rules written in the UI are the rules the server runs ({@code admin-ui/e2e/file-rules.e2e.mjs}): a move rule made
     * in the UI moves the next upload to the other user's home, and the retention rule made in the UI, previewed and
     * run there, deleted exactly the old files it previewed.
     */
    @Test
    void aFileRuleAndARetentionRuleWrittenInTheUiDoWhatTheySay() throws Exception {
        KeyPair key = TestKeys.ed25519();
        Users.create(admin, "e2e-drop", key, null);
        Users.create(admin, "e2e-ops", TestKeys.ed25519(), null);
        Instant old = Instant.now().minus(Duration.ofDays(40));
        List<String> oldFiles = List.of("/outbox/old-1.csv", "/outbox/2026/old-2.csv");
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "e2e-drop", key)) {
            for (String dir : List.of("/inbox", "/outbox", "/outbox/2026")) {
                client.sftp().mkdir(dir);
            }
            for (String file : oldFiles) {
                client.put(file, file.getBytes(StandardCharsets.UTF_8));
                client.sftp().setStat(file, new SftpClient.Attributes().modifyTime(FileTime.from(old)).accessTime(FileTime.from(old)));
            }
            client.put("/outbox/fresh.csv", "fresh".getBytes(StandardCharsets.UTF_8));
        }

        UiScripts.run(ferry, "e2e/file-rules.e2e.mjs", Map.of(
                "ADMIN_USERNAME", "admin",
                "ADMIN_PASSWORD", FerryInstance.ADMIN_PASSWORD,
                "AUDITOR_USERNAME", "auditor",
                "AUDITOR_PASSWORD", AUDITOR_PASSWORD,
                "SOURCE_USER", "e2e-drop",
                "TARGET_USER", "e2e-ops",
                "OLD_FILES", String.join(",", oldFiles),
                "FRESH_FILE", "/outbox/fresh.csv"));

        // The retention run the UI asked for deleted what its preview listed, and only that, audited as the system.
        Path drop = ferry.homeOf("e2e-drop");
        for (String file : oldFiles) {
            assertThat(drop.resolve(file.substring(1))).doesNotExist();
        }
        assertThat(drop.resolve("outbox/fresh.csv")).hasContent("fresh");
        JsonNode deletes = admin.get("/api/v1/audit?username=e2e-drop&type=DELETE").json().get("content");
        assertThat(deletes.findValuesAsString("path")).containsExactlyInAnyOrderElementsOf(oldFiles);
        assertThat(deletes.findValuesAsString("sessionId")).containsOnly("system:retention");
        JsonNode retention = admin.get("/api/v1/retention-rules").json();
        assertThat(retention.toString()).contains("\"name\":\"e2e-outbox\"", "\"path\":\"/outbox/**\"", "\"username\":\"e2e-drop\"",
                "\"days\":30", "\"enabled\":false");

        // The move rule made in the UI moves the next upload into the receiving user's home.
        byte[] data = "id;amount\n1;42\n".getBytes(StandardCharsets.UTF_8);
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "e2e-drop", key)) {
            client.put("/inbox/orders.csv", data);
        }
        Path moved = ferry.homeOf("e2e-ops").resolve("incoming/e2e-drop/orders.csv");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!(Files.exists(moved) && Files.notExists(drop.resolve("inbox/orders.csv"))) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(moved).as("the upload moved by the rule e2e-move").hasBinaryContent(data);
        assertThat(drop.resolve("inbox/orders.csv")).doesNotExist();
        for (String page : List.of("event-rule-move", "retention-preview", "retention")) {
            assertThat(UiScripts.screenshots().resolve(page + "-1280.png")).isNotEmptyFile();
            assertThat(UiScripts.screenshots().resolve(page + "-390.png")).isNotEmptyFile();
        }
    }
}
