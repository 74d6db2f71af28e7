package dev.ferry.sftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import java.security.KeyPair;
import java.time.OffsetDateTime;
import org.apache.sshd.common.SshException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Logins over real sockets against accounts in PostgreSQL. */
class AuthenticationIT {

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

    static void createUser(String username, String extraJson) {
        var response = admin.post("/api/v1/users", "{\"username\":\"" + username + "\"" + extraJson + "}");
        assertThat(response.status()).as(response.body()).isEqualTo(201);
    }

    static String keys(KeyPair... pairs) {
        StringBuilder json = new StringBuilder(",\"publicKeys\":[");
        for (int i = 0; i < pairs.length; i++) {
            json.append(i == 0 ? "" : ",").append(AdminClient.quote(TestKeys.publicLine(pairs[i])));
        }
        return json.append(']').toString();
    }

    @Test
    void logsInWithEd25519EcdsaAndRsaKeysAndSeesHomeAsRoot() throws Exception {
        KeyPair ed = TestKeys.ed25519();
        KeyPair ec = TestKeys.ecdsa256();
        KeyPair rsa = TestKeys.rsa(3072);
        createUser("keys1", keys(ed, ec, rsa));
        for (KeyPair pair : new KeyPair[] {ed, ec, rsa}) {
            try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "keys1", pair)) {
                assertThat(client.sftp().canonicalPath(".")).isEqualTo("/");
            }
        }
    }

    @Test
    void logsInWithPasswordAndRefusesWrongOne() throws Exception {
        createUser("pw1", ",\"password\":\"correct horse\"");
        try (SftpTestClient client = SftpTestClient.withPassword(ferry.sftpPort(), "pw1", "correct horse")) {
            assertThat(client.sftp().canonicalPath(".")).isEqualTo("/");
        }
        assertThatThrownBy(() -> SftpTestClient.withPassword(ferry.sftpPort(), "pw1", "wrong horse").close())
                .isInstanceOf(SshException.class);
        assertThatThrownBy(() -> SftpTestClient.withPassword(ferry.sftpPort(), "nobody", "correct horse").close())
                .isInstanceOf(SshException.class);
    }

    @Test
    void refusesUnknownKeyAndKeepsServingOthers() throws Exception {
        KeyPair good = TestKeys.ed25519();
        createUser("keys2", keys(good));
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> SftpTestClient.withKey(ferry.sftpPort(), "keys2", TestKeys.ed25519()).close())
                    .isInstanceOf(SshException.class);
        }
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "keys2", good)) {
            assertThat(client.sftp().canonicalPath(".")).isEqualTo("/");
        }
    }

    @Test
    void refusesDisabledAndExpiredUsers() {
        KeyPair key = TestKeys.ed25519();
        createUser("off1", keys(key) + ",\"enabled\":false");
        createUser("old1", keys(key) + ",\"expiresAt\":\"" + OffsetDateTime.now().minusMinutes(1) + "\"");
        assertThatThrownBy(() -> SftpTestClient.withKey(ferry.sftpPort(), "off1", key).close()).isInstanceOf(SshException.class);
        assertThatThrownBy(() -> SftpTestClient.withKey(ferry.sftpPort(), "old1", key).close()).isInstanceOf(SshException.class);
    }

    @Test
    void keyAddedOrRemovedThroughTheApiCountsAtTheNextLogin() throws Exception {
        KeyPair first = TestKeys.ed25519();
        KeyPair second = TestKeys.ed25519();
        createUser("rot1", keys(first));
        assertThatThrownBy(() -> SftpTestClient.withKey(ferry.sftpPort(), "rot1", second).close()).isInstanceOf(SshException.class);

        var added = admin.post("/api/v1/users/rot1/keys", "{\"publicKey\":" + AdminClient.quote(TestKeys.publicLine(second)) + "}");
        assertThat(added.status()).as(added.body()).isEqualTo(201);
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "rot1", second)) {
            assertThat(client.sftp().canonicalPath(".")).isEqualTo("/");
        }

        long id = added.json().get("id").asLong();
        assertThat(admin.delete("/api/v1/users/rot1/keys/" + id).status()).isEqualTo(204);
        assertThatThrownBy(() -> SftpTestClient.withKey(ferry.sftpPort(), "rot1", second).close()).isInstanceOf(SshException.class);
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "rot1", first)) {
            assertThat(client.sftp().canonicalPath(".")).isEqualTo("/");
        }
    }
}
