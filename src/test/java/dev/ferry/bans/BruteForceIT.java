package dev.ferry.bans;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.FreePorts;
import dev.ferry.testsupport.ProxyProtocolRelay;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.TestPostgres;
import dev.ferry.testsupport.Users;
import java.security.KeyPair;
import java.util.Map;
import org.apache.sshd.common.SshException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Repeated failed logins ban the source address on every instance, behind a PROXY-protocol load
 * balancer that tells the real client addresses; users coming from elsewhere keep working.
 */
class BruteForceIT {

    static final String ATTACKER = "203.0.113.10";
    static final String PARTNER = "198.51.100.20";

    static FerryInstance ferry;
    static FerryInstance replica;
    static ProxyProtocolRelay attackerPath;
    static ProxyProtocolRelay partnerPath;
    static ProxyProtocolRelay attackerToReplica;
    static KeyPair key = TestKeys.ed25519();

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> settings = Map.of("sftp.trusted-proxies", "127.0.0.1/32", "sftp.defender.max-failures", "4",
                "sftp.defender.ban-time", "10m");
        var database = TestPostgres.get().newDatabase();
        var root = FerryInstance.tempDir("ferry-bans");
        ferry = FerryInstance.start(database, root, settings);
        replica = FerryInstance.start(database, root, settings);
        attackerPath = new ProxyProtocolRelay(ferry.sftpPort(), ATTACKER);
        partnerPath = new ProxyProtocolRelay(ferry.sftpPort(), PARTNER);
        attackerToReplica = new ProxyProtocolRelay(replica.sftpPort(), ATTACKER);
        Users.create(ferry.admin(), "victim", key, "\"password\":\"the real password\"");
    }

    @AfterAll
    static void stop() throws Exception {
        attackerPath.close();
        partnerPath.close();
        attackerToReplica.close();
        replica.close();
        ferry.close();
    }

    @Test
    void anAddressThatKeepsFailingIsBannedEverywhereWhileOthersKeepWorking() throws Exception {
        for (int i = 0; i < 4; i++) {
            long t0 = System.nanoTime();
            try {
                SftpTestClient.withPassword(attackerPath.port(), "victim", "guess").close();
                throw new AssertionError("a wrong password logged in");
            } catch (SshException expected) {
                // refused at once, not by a timeout: the password was checked and the failure counted
                assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(10_000);
            }
        }
        // Banned: even the right key from that address is refused, on this and the other instance.
        assertThatThrownBy(() -> SftpTestClient.withKey(attackerPath.port(), "victim", key).close()).isInstanceOf(Exception.class);
        assertThatThrownBy(() -> SftpTestClient.withKey(attackerToReplica.port(), "victim", key).close()).isInstanceOf(Exception.class);
        // The partner behind the same balancer is not affected.
        try (SftpTestClient partner = SftpTestClient.withKey(partnerPath.port(), "victim", key)) {
            assertThat(partner.sftp().canonicalPath(".")).isEqualTo("/");
        }

        JsonNode bans = ferry.admin().get("/api/v1/bans").json();
        JsonNode ban = null;
        for (JsonNode b : bans) {
            if (b.get("address").asText().equals(ATTACKER)) {
                ban = b;
            }
        }
        assertThat(ban).as(bans.toString()).isNotNull();
        assertThat(ban.get("bannedUntil").isNull()).isFalse();
        assertThat(bans.toString()).doesNotContain("127.0.0.1").doesNotContain(PARTNER + "\",\"failures\":1");

        var audit = ferry.admin().get("/api/v1/audit?type=LOGIN_FAILED&size=100").json().get("content");
        assertThat(audit.toString()).contains(ATTACKER).contains("banned");

        assertThat(ferry.admin().delete("/api/v1/bans/" + ATTACKER).status()).isEqualTo(204);
        try (SftpTestClient attackerNowAllowed = SftpTestClient.withKey(attackerToReplica.port(), "victim", key)) {
            assertThat(attackerNowAllowed.sftp().canonicalPath(".")).isEqualTo("/");
        }
        var logins = ferry.admin().get("/api/v1/audit?type=LOGIN&username=victim&size=100").json().get("content").toString();
        assertThat(logins).contains(PARTNER).contains(ATTACKER);
    }

    @Test
    void aConnectionFromTheBalancerWithoutAProxyHeaderIsRefused() {
        assertThatThrownBy(() -> SftpTestClient.withKey(ferry.sftpPort(), "victim", key).close()).isInstanceOf(Exception.class);
        assertThat(FreePorts.next()).isPositive();
    }
}
