package dev.ferry.users;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.TestPostgres;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.sshd.common.SshException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Keys with a label, an expiry and a last use, over real logins: an expired key is refused and
 * audited, a used key shows when it was last used once the batched write has run, and a shutdown
 * writes what is still in memory.
 */
class KeyLifecycleIT {

    static FerryInstance ferry;
    static AdminClient admin;

    @BeforeAll
    static void start() {
        ferry = FerryInstance.start();
        admin = ferry.admin();
    }

    @AfterAll
    static void stop() {
        ferry.close();
    }

    @Test
    void labelAndExpiryAreKeptAndLastUseAppearsAfterALogin() throws Exception {
        KeyPair key = TestKeys.ed25519();
        createUser("life1");
        JsonNode added = addKey("life1", key, "\"label\":\"laptop\",\"expiresAt\":\"2999-01-01T00:00:00Z\"");
        assertThat(added.get("label").asString()).isEqualTo("laptop");
        assertThat(OffsetDateTime.parse(added.get("expiresAt").asString()).toInstant()).isEqualTo(Instant.parse("2999-01-01T00:00:00Z"));
        assertThat(added.get("lastUsedAt").isNull()).isTrue();

        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "life1", key)) {
            assertThat(client.sftp().canonicalPath(".")).isEqualTo("/");
        }
        JsonNode used = awaitKey(admin, "life1", added.get("id").asLong(), k -> !k.get("lastUsedAt").isNull());
        assertThat(used.get("lastUsedAt").isNull()).as("lastUsedAt written within 60 s").isFalse();
        assertThat(OffsetDateTime.parse(used.get("lastUsedAt").asString()).toInstant())
                .isAfter(OffsetDateTime.parse(added.get("createdAt").asString()).toInstant().minusSeconds(1));
        assertThat(used.get("label").asString()).isEqualTo("laptop");
    }

    @Test
    void expiredKeyIsRefusedAndAuditedWhileTheUsersOtherKeyLogsIn() throws Exception {
        KeyPair old = TestKeys.ed25519();
        KeyPair current = TestKeys.ed25519();
        createUser("life2");
        addKey("life2", old, "\"label\":\"old laptop\",\"expiresAt\":\"" + OffsetDateTime.now().minusMinutes(1) + "\"");
        addKey("life2", current, "\"label\":\"new laptop\"");
        assertThatThrownBy(() -> SftpTestClient.withKey(ferry.sftpPort(), "life2", old).close()).isInstanceOf(SshException.class);
        assertThat(awaitAudit("LOGIN_FAILED", "life2", "key expired")).isTrue();
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "life2", current)) {
            assertThat(client.sftp().canonicalPath(".")).isEqualTo("/");
        }
    }

    @Test
    void badLabelOrExpiryGets400WithAReason() {
        createUser("life3");
        String line = AdminClient.quote(TestKeys.publicLine(TestKeys.ed25519()));
        var badDate = admin.post("/api/v1/users/life3/keys", "{\"publicKey\":" + line + ",\"expiresAt\":\"next tuesday\"}");
        assertThat(badDate.status()).as(badDate.body()).isEqualTo(400);
        assertThat(badDate.body()).contains("expiresAt");
        var longLabel = admin.post("/api/v1/users/life3/keys", "{\"publicKey\":" + line + ",\"label\":\"" + "x".repeat(101) + "\"}");
        assertThat(longLabel.status()).isEqualTo(400);
        assertThat(longLabel.body()).contains("longer than 100 characters");
        var controlLabel = admin.post("/api/v1/users/life3/keys", "{\"publicKey\":" + line + ",\"label\":\"a\\u001b[31mb\"}");
        assertThat(controlLabel.status()).isEqualTo(400);
        assertThat(controlLabel.body()).contains("control characters");
    }

    @Test
    void shutdownWritesTheLastUsesStillInMemory() throws Exception {
        // A flush interval far longer than the test: only the shutdown can write the last use.
        FerryInstance own = FerryInstance.start(TestPostgres.get().newDatabase(), FerryInstance.tempDir("ferry-files"),
                Map.of("sftp.keys.last-used-flush-interval", "1h"));
        FerryInstance reopened = null;
        try {
            KeyPair key = TestKeys.ed25519();
            AdminClient ownAdmin = own.admin();
            assertThat(ownAdmin.post("/api/v1/users", "{\"username\":\"life4\"}").status()).isEqualTo(201);
            long id = ownAdmin.post("/api/v1/users/life4/keys", "{\"publicKey\":" + AdminClient.quote(TestKeys.publicLine(key)) + "}")
                    .json().get("id").asLong();
            try (SftpTestClient client = SftpTestClient.withKey(own.sftpPort(), "life4", key)) {
                assertThat(client.sftp().canonicalPath(".")).isEqualTo("/");
            }
            assertThat(key(ownAdmin, "life4", id).get("lastUsedAt").isNull()).as("not written before the shutdown").isTrue();
            own.close();
            reopened = FerryInstance.start(own.database(), own.storageRoot(), Map.of());
            assertThat(key(reopened.admin(), "life4", id).get("lastUsedAt").isNull()).as("written at shutdown").isFalse();
        } finally {
            own.close();
            if (reopened != null) {
                reopened.close();
            }
        }
    }

    // ---- helpers ------------------------------------------------------------------------

    private static void createUser(String username) {
        var response = admin.post("/api/v1/users", "{\"username\":\"" + username + "\"}");
        assertThat(response.status()).as(response.body()).isEqualTo(201);
    }

    private static JsonNode addKey(String username, KeyPair key, String fields) {
        var response = admin.post("/api/v1/users/" + username + "/keys",
                "{\"publicKey\":" + AdminClient.quote(TestKeys.publicLine(key)) + "," + fields + "}");
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json();
    }

    private static JsonNode key(AdminClient client, String username, long id) {
        for (JsonNode key : client.get("/api/v1/users/" + username + "/keys").json()) {
            if (key.get("id").asLong() == id) {
                return key;
            }
        }
        throw new AssertionError("no key " + id + " of " + username);
    }

    /** The key once it matches, waiting generously for the batched write. */
    private static JsonNode awaitKey(AdminClient client, String username, long id, Predicate<JsonNode> condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        JsonNode key = key(client, username, id);
        while (!condition.test(key) && Instant.now().isBefore(deadline)) {
            Thread.sleep(200);
            key = key(client, username, id);
        }
        return key;
    }

    private static boolean awaitAudit(String type, String username, String detail) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(deadline)) {
            for (JsonNode record : admin.get("/api/v1/audit?type=" + type + "&username=" + username + "&size=500").json().get("content")) {
                if (record.path("detail").asString("").contains(detail)) {
                    return true;
                }
            }
            Thread.sleep(100);
        }
        return false;
    }
}
