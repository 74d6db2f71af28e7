package dev.ferry.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.Users;
import java.io.InputStream;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Random;
import org.apache.sshd.common.SshException;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.OpenMode;
import org.apache.sshd.sftp.common.SftpException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Session caps, allowed IPs, live disconnects and bandwidth, across two instances sharing one database. */
class LimitsIT {

    static final int MIB = 1024 * 1024;

    static FerryInstance ferry;
    static FerryInstance replica;
    static KeyPair key = TestKeys.ed25519();

    @BeforeAll
    static void start() {
        ferry = FerryInstance.start();
        replica = ferry.replica();
    }

    @AfterAll
    static void stop() {
        replica.close();
        ferry.close();
    }

    static void awaitClosed(SftpTestClient client, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (client.session().isOpen()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("session still open after " + within);
            }
            Thread.sleep(100);
        }
    }

    @Test
    void theSessionCapHoldsAcrossInstances() throws Exception {
        Users.create(ferry.admin(), "cap2", key, "\"maxSessions\":2");
        try (SftpTestClient first = SftpTestClient.withKey(ferry.sftpPort(), "cap2", key);
                SftpTestClient second = SftpTestClient.withKey(replica.sftpPort(), "cap2", key)) {
            assertThatThrownBy(() -> SftpTestClient.withKey(ferry.sftpPort(), "cap2", key).close()).isInstanceOf(SshException.class);
            assertThatThrownBy(() -> SftpTestClient.withKey(replica.sftpPort(), "cap2", key).close()).isInstanceOf(SshException.class);
            assertThat(first.sftp().canonicalPath(".")).isEqualTo("/");
            second.close();
            try (SftpTestClient third = SftpTestClient.withKey(replica.sftpPort(), "cap2", key)) {
                assertThat(third.sftp().canonicalPath(".")).isEqualTo("/");
            }
        }
    }

    @Test
    void onlyAllowedAddressesMayLogIn() throws Exception {
        Users.create(ferry.admin(), "ipok", key, "\"allowedIps\":[\"10.0.0.0/8\",\"127.0.0.0/8\"]");
        Users.create(ferry.admin(), "ipno", key, "\"allowedIps\":[\"10.0.0.0/8\",\"2001:db8::/32\"]");
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "ipok", key)) {
            assertThat(client.sftp().canonicalPath(".")).isEqualTo("/");
        }
        assertThatThrownBy(() -> SftpTestClient.withKey(ferry.sftpPort(), "ipno", key).close()).isInstanceOf(SshException.class);
    }

    @Test
    void sessionsAreListedEverywhereAndEndedFromAnyInstanceWithinFiveSeconds() throws Exception {
        Users.create(ferry.admin(), "live1", key, null);
        try (SftpTestClient client = SftpTestClient.withKey(replica.sftpPort(), "live1", key)) {
            try (SftpClient.CloseableHandle h = client.sftp().open("/x.bin", OpenMode.Write, OpenMode.Create)) {
                client.sftp().write(h, 0, new byte[12345]);
            }
            JsonNode listed = awaitSession("live1", s -> s.get("bytesIn").asLong() == 12345);
            assertThat(listed.get("remoteAddress").asText()).isEqualTo("127.0.0.1");
            assertThat(listed.get("startedAt").asText()).endsWith("Z");

            var end = ferry.admin().delete("/api/v1/sessions/" + listed.get("id").asText());
            assertThat(end.status()).isEqualTo(204);
            awaitClosed(client, Duration.ofSeconds(5));
        }
        assertThat(ferry.admin().delete("/api/v1/sessions/doesnotexist").status()).isEqualTo(404);
    }

    @Test
    void disablingOrDeletingAUserEndsTheirSessionsWithinFiveSeconds() throws Exception {
        Users.create(ferry.admin(), "off2", key, null);
        Users.create(ferry.admin(), "gone2", key, null);
        try (SftpTestClient disabled = SftpTestClient.withKey(replica.sftpPort(), "off2", key);
                SftpTestClient deleted = SftpTestClient.withKey(ferry.sftpPort(), "gone2", key)) {
            Users.update(ferry.admin(), "off2", user -> user.put("enabled", false));
            assertThat(ferry.admin().delete("/api/v1/users/gone2").status()).isEqualTo(204);
            awaitClosed(disabled, Duration.ofSeconds(5));
            awaitClosed(deleted, Duration.ofSeconds(5));
        }
        assertThatThrownBy(() -> SftpTestClient.withKey(ferry.sftpPort(), "off2", key).close()).isInstanceOf(SshException.class);
    }

    @Test
    void uploadAndDownloadBandwidthAreHeldWithinTwentyPercent() throws Exception {
        long limit = MIB; // bytes per second
        Users.create(ferry.admin(), "slow", key, "\"bandwidth\":{\"uploadBytesPerSecond\":" + limit
                + ",\"downloadBytesPerSecond\":" + (2 * limit) + "}");
        byte[] data = new byte[3 * MIB];
        new Random(7).nextBytes(data);
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "slow", key)) {
            long start = System.nanoTime();
            try (SftpClient.CloseableHandle h = client.sftp().open("/paced.bin", OpenMode.Write, OpenMode.Create)) {
                for (int off = 0; off < data.length; off += 32 * 1024) {
                    client.sftp().write(h, off, data, off, 32 * 1024);
                }
            }
            double uploadRate = data.length / ((System.nanoTime() - start) / 1e9);
            assertThat(uploadRate).as("upload bytes/s").isBetween(0.8 * limit, 1.2 * limit);

            start = System.nanoTime();
            long read = 0;
            try (InputStream in = client.sftp().read("/paced.bin")) {
                byte[] buffer = new byte[64 * 1024];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    read += n;
                }
            }
            double downloadRate = read / ((System.nanoTime() - start) / 1e9);
            assertThat(read).isEqualTo(data.length);
            assertThat(downloadRate).as("download bytes/s").isBetween(0.8 * 2 * limit, 1.2 * 2 * limit);
        }
    }

    @Test
    void aFileLargerThanTheLimitIsRefusedAndDiscarded() throws Exception {
        Users.create(ferry.admin(), "maxf", key, "\"maxFileSize\":" + MIB);
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "maxf", key)) {
            SftpClient.CloseableHandle h = client.sftp().open("/too-big.bin", OpenMode.Write, OpenMode.Create);
            client.sftp().write(h, 0, new byte[MIB]);
            assertThatThrownBy(() -> client.sftp().write(h, MIB, new byte[1]))
                    .isInstanceOfSatisfying(SftpException.class, e -> assertThat(e.getMessage()).contains("file too large"));
            assertThatThrownBy(h::close).isInstanceOf(SftpException.class);
        }
        assertThat(ferry.homeOf("maxf").resolve("too-big.bin")).doesNotExist();
    }

    static JsonNode awaitSession(String username, java.util.function.Predicate<JsonNode> condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(6).toNanos();
        while (true) {
            var response = ferry.admin().get("/api/v1/sessions");
            assertThat(response.status()).isEqualTo(200);
            for (JsonNode session : response.json()) {
                if (session.get("username").asText().equals(username) && condition.test(session)) {
                    return session;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no matching session of " + username + " in " + response.body());
            }
            Thread.sleep(200);
        }
    }
}
