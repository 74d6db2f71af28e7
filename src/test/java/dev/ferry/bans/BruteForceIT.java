package dev.ferry.bans;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.ProxyProtocolRelay;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.TestPostgres;
import dev.ferry.testsupport.Users;
import java.io.IOException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The brute-force defence seen from many addresses: a local load balancer (PROXY protocol from a
 * trusted 127.0.0.1) gives each simulated client an address of its own, on two instances sharing
 * one database. Failures are scored per (address, username), with a ceiling per address that names
 * no account has reach sooner: a broken batch job locks out its own account at its NAT address and
 * nobody else; an address trying many names is banned as a whole; the safe-list is never banned.
 */
class BruteForceIT {

    static final String NAT = "198.51.100.7";
    static final String ELSEWHERE = "198.51.100.99";
    static final String SPRAYER = "203.0.113.10";
    static final String KNOWN_NAMES_TRIER = "203.0.113.11";
    static final String PROBE_KNOWN = "203.0.113.21";
    static final String PROBE_UNKNOWN = "203.0.113.22";
    static final String MONITOR = "192.0.2.50";
    static final String HEALTH_CHECKER = "198.51.100.250";
    static final String CROWD = "203.0.113.30";
    static final int MAX_FAILURES = 3;

    static FerryInstance ferry;
    static FerryInstance replica;
    static final Map<String, ProxyProtocolRelay> relays = new ConcurrentHashMap<>();
    static KeyPair key = TestKeys.ed25519();

    @BeforeAll
    static void start() {
        // Per username and address 3 failures; per address a score of 10: 10 failures for existing
        // names, 5 for names no account has.
        Map<String, String> settings = Map.of("sftp.trusted-proxies", "127.0.0.1/32", "sftp.defender.max-failures",
                String.valueOf(MAX_FAILURES), "sftp.defender.max-address-score", "10", "sftp.defender.unknown-user-score", "2",
                "sftp.defender.ban-time", "10m", "sftp.defender.safe-list", "192.0.2.48/29");
        var database = TestPostgres.get().newDatabase();
        var root = FerryInstance.tempDir("ferry-bans");
        ferry = FerryInstance.start(database, root, settings);
        replica = FerryInstance.start(database, root, settings);
        for (String user : List.of("alice", "bob", "carol", "dora", "erin", "frank", "colleague")) {
            Users.create(ferry.admin(), user, key, "\"password\":\"the password of " + user + "\"");
        }
    }

    @AfterAll
    static void stop() throws IOException {
        for (ProxyProtocolRelay relay : relays.values()) {
            relay.close();
        }
        replica.close();
        ferry.close();
    }

    @Test
    void aBrokenBatchJobLocksOutItsOwnAccountAtItsAddressAndNobodyElse() throws Exception {
        for (int i = 0; i < MAX_FAILURES; i++) {
            assertRefused(() -> password(ferry, NAT, "alice", "an old password"));
        }
        // alice is blocked at the NAT address, even with her key, on every instance...
        assertRefused(() -> SftpTestClient.withKey(port(ferry, NAT), "alice", key));
        assertRefused(() -> SftpTestClient.withKey(port(replica, NAT), "alice", key));
        // ...while her colleagues behind the same address log in, with keys and passwords, and she does from elsewhere.
        assertLogsIn(() -> SftpTestClient.withKey(port(ferry, NAT), "bob", key));
        assertLogsIn(() -> password(replica, NAT, "carol", "the password of carol"));
        assertLogsIn(() -> SftpTestClient.withKey(port(ferry, ELSEWHERE), "alice", key));

        // The job keeps failing: refused attempts no longer count, so the address is never banned for it.
        for (int i = 0; i < 12; i++) {
            assertRefused(() -> password(ferry, NAT, "alice", "an old password"));
        }
        assertLogsIn(() -> SftpTestClient.withKey(port(ferry, NAT), "bob", key));

        JsonNode block = entry(NAT, "alice");
        assertThat(block).as(bans().toString()).isNotNull();
        assertThat(block.get("bannedUntil").isNull()).isFalse();
        JsonNode address = entry(NAT, null);
        assertThat(address.get("bannedUntil").isNull()).as(address.toString()).isTrue();
        assertThat(address.get("score").asInt()).as(address.toString()).isEqualTo(MAX_FAILURES);
        assertThat(entry(ELSEWHERE, null)).isNull();
        assertThat(audit("LOGIN_FAILED")).contains("logins as alice from " + NAT + " are blocked until");

        // Lifting alice's block at the address lets her in again there.
        assertThat(ferry.admin().delete("/api/v1/bans/" + NAT + "?username=alice").status()).isEqualTo(204);
        assertLogsIn(() -> SftpTestClient.withKey(port(replica, NAT), "alice", key));
        assertThat(ferry.admin().delete("/api/v1/bans/" + NAT + "?username=alice").status()).isEqualTo(404);
    }

    @Test
    void anAddressTryingManyNamesIsBannedAsAWholeAndUnknownNamesWeighMore() throws Exception {
        // Five names that exist, one wrong password each: a score of 5, below 10.
        for (String user : List.of("bob", "carol", "dora", "erin", "frank")) {
            assertRefused(() -> password(ferry, KNOWN_NAMES_TRIER, user, "guess"));
        }
        assertLogsIn(() -> SftpTestClient.withKey(port(ferry, KNOWN_NAMES_TRIER), "bob", key));

        // Five names that do not exist weigh 2 each: the fifth bans the address, for every name, everywhere.
        for (int i = 0; i < 5; i++) {
            String user = "admin" + i;
            FerryInstance instance = i % 2 == 0 ? ferry : replica;
            assertRefused(() -> password(instance, SPRAYER, user, "guess"));
        }
        assertRefused(() -> SftpTestClient.withKey(port(ferry, SPRAYER), "bob", key));
        assertRefused(() -> SftpTestClient.withKey(port(replica, SPRAYER), "carol", key));
        JsonNode ban = entry(SPRAYER, null);
        assertThat(ban).as(bans().toString()).isNotNull();
        assertThat(ban.get("bannedUntil").isNull()).isFalse();
        assertThat(audit("LOGIN_FAILED")).contains("address " + SPRAYER + " is banned until");

        // Lifting the address lifts everything of it.
        assertThat(ferry.admin().delete("/api/v1/bans/" + SPRAYER).status()).isEqualTo(204);
        assertThat(entry(SPRAYER, null)).isNull();
        assertLogsIn(() -> SftpTestClient.withKey(port(replica, SPRAYER), "bob", key));
    }

    @Test
    void aNameIsBlockedAfterTheSameFailuresWhetherOrNotItExists() throws Exception {
        for (int i = 0; i < MAX_FAILURES; i++) {
            assertThat(entry(PROBE_KNOWN, "dora") == null || entry(PROBE_KNOWN, "dora").get("bannedUntil").isNull()).isTrue();
            assertThat(entry(PROBE_UNKNOWN, "nobody-here") == null || entry(PROBE_UNKNOWN, "nobody-here").get("bannedUntil").isNull())
                    .isTrue();
            assertRefused(() -> password(ferry, PROBE_KNOWN, "dora", "guess"));
            assertRefused(() -> password(ferry, PROBE_UNKNOWN, "Nobody-Here", "guess"));
        }
        assertThat(entry(PROBE_KNOWN, "dora").get("bannedUntil").isNull()).isFalse();
        assertThat(entry(PROBE_UNKNOWN, "nobody-here").get("bannedUntil").isNull()).as("names are case-insensitive").isFalse();
        String failed = audit("LOGIN_FAILED");
        assertThat(failed).contains("logins as dora from " + PROBE_KNOWN + " are blocked")
                .contains("logins as nobody-here from " + PROBE_UNKNOWN + " are blocked");
    }

    @Test
    void theSafeListIsNeverBannedButItsFailuresAreAudited() throws Exception {
        for (int i = 0; i < 12; i++) {
            assertRefused(() -> password(ferry, MONITOR, "monitoring-probe", "nothing"));
        }
        for (int i = 0; i < 5; i++) {
            assertRefused(() -> password(ferry, MONITOR, "erin", "nothing"));
        }
        assertLogsIn(() -> SftpTestClient.withKey(port(ferry, MONITOR), "erin", key));
        assertThat(bans().toString()).doesNotContain(MONITOR);
        assertThat(audit("LOGIN_FAILED")).contains(MONITOR);
    }

    /**
     * Eight partners, each behind an address of its own, each with a broken job failing at the
     * same time as a colleague logs in from the same address: every job blocks only itself.
     */
    @Test
    void manyPartnersAtOnceEachBrokenJobBlocksOnlyItself() throws Exception {
        List<String> partners = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            String address = "198.51.100." + (20 + i);
            partners.add(address);
            Users.create(ferry.admin(), "job" + i, key, "\"password\":\"the password of job" + i + "\"");
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < partners.size(); i++) {
                String address = partners.get(i);
                String job = "job" + (i + 1);
                FerryInstance instance = i % 2 == 0 ? ferry : replica;
                running.add(pool.submit(() -> {
                    for (int attempt = 0; attempt < MAX_FAILURES + 2; attempt++) {
                        assertRefused(() -> password(instance, address, job, "expired password"));
                        assertLogsIn(() -> SftpTestClient.withKey(port(instance, address), "colleague", key));
                    }
                    return null;
                }));
            }
            for (Future<?> done : running) {
                done.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < partners.size(); i++) {
            String address = partners.get(i);
            String job = "job" + (i + 1);
            JsonNode block = entry(address, job);
            assertThat(block).as(address).isNotNull();
            assertThat(block.get("bannedUntil").isNull()).as(address).isFalse();
            assertThat(entry(address, null).get("bannedUntil").isNull()).as(address).isTrue();
            assertThat(entry(address, "colleague")).as(address).isNull();
            // Each job is blocked at its own address only.
            String other = partners.get((i + 1) % partners.size());
            assertLogsIn(() -> SftpTestClient.withKey(port(ferry, other), job, key));
        }
    }

    @Test
    void connectionsThatNeverNameAUserCountForNothing() throws Exception {
        for (int i = 0; i < 30; i++) {
            // A load balancer's TCP health check: connect, close.
            new java.net.Socket("127.0.0.1", port(ferry, HEALTH_CHECKER)).close();
        }
        for (int i = 0; i < 5; i++) {
            // ssh-keyscan and monitoring that check the SSH handshake: key exchange, no authentication.
            SftpTestClient.session(port(ferry, HEALTH_CHECKER), "nobody").close();
        }
        assertThat(entry(HEALTH_CHECKER, null)).as(bans().toString()).isNull();
        assertLogsIn(() -> SftpTestClient.withKey(port(ferry, HEALTH_CHECKER), "bob", key));
    }

    /** Failures arriving at once from one address, on both instances, are all counted: none lost, none deadlocked. */
    @Test
    void simultaneousFailuresFromOneAddressAreAllCounted() throws Exception {
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= 9; i++) {
            names.add("crowd" + i);
            Users.create(ferry.admin(), "crowd" + i, key, "\"password\":\"the password of crowd" + i + "\"");
        }
        ExecutorService pool = Executors.newFixedThreadPool(9);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                FerryInstance instance = i % 2 == 0 ? ferry : replica;
                running.add(pool.submit(() -> {
                    assertRefused(() -> password(instance, CROWD, name, "wrong"));
                    return null;
                }));
            }
            for (Future<?> done : running) {
                done.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        JsonNode address = entry(CROWD, null);
        assertThat(address.get("failures").asInt()).as(address.toString()).isEqualTo(9);
        assertThat(address.get("score").asInt()).as(address.toString()).isEqualTo(9);
        assertThat(address.get("bannedUntil").isNull()).isTrue();
        // The tenth point bans it.
        assertRefused(() -> password(replica, CROWD, "crowd1", "wrong again"));
        assertThat(entry(CROWD, null).get("bannedUntil").isNull()).isFalse();
    }

    /** The table does not keep every name ever tried: rows quiet for longer than the longest ban go. */
    @Test
    void rowsQuietForLongerThanTheLongestBanAreForgotten() {
        var jdbc = ferry.bean(org.springframework.jdbc.core.JdbcTemplate.class);
        jdbc.update("insert into login_bans (address, username, failures, score, window_start, ban_count, banned_until, last_failure) values "
                + "('192.0.2.1', 'old-name', 1, 0, now() - interval '3 days', 0, null, now() - interval '3 days'), "
                + "('192.0.2.2', '', 0, 0, now() - interval '3 days', 5, now() - interval '25 hours', now() - interval '49 hours'), "
                + "('192.0.2.3', '', 0, 0, now() - interval '2 days', 6, now() - interval '1 hour', now() - interval '25 hours'), "
                + "('192.0.2.4', 'recent', 2, 0, now() - interval '1 hour', 0, null, now() - interval '1 hour')");
        ferry.bean(LoginBans.class).forgetQuiet();
        List<String> left = jdbc.queryForList("select address from login_bans where address like '192.0.2._' order by address",
                String.class);
        // Kept: a ban that ended an hour ago (its doubling is remembered) and a recent failure.
        assertThat(left).containsExactly("192.0.2.3", "192.0.2.4");
    }

    @Test
    void aConnectionFromTheBalancerWithoutAProxyHeaderIsRefused() {
        assertThatThrownBy(() -> SftpTestClient.withKey(ferry.sftpPort(), "bob", key).close()).isInstanceOf(Exception.class);
    }

    interface Login {
        SftpTestClient open() throws Exception;
    }

    static void assertRefused(Login login) {
        assertThatThrownBy(() -> login.open().close()).isInstanceOf(Exception.class);
    }

    static void assertLogsIn(Login login) throws Exception {
        try (SftpTestClient client = login.open()) {
            assertThat(client.sftp().canonicalPath(".")).isEqualTo("/");
        }
    }

    static SftpTestClient password(FerryInstance instance, String address, String user, String password) throws IOException {
        return SftpTestClient.withPassword(port(instance, address), user, password);
    }

    /** The local port of a load balancer in front of {@code instance} that says the client is {@code address}. */
    static int port(FerryInstance instance, String address) {
        return relays.computeIfAbsent(instance.sftpPort() + "/" + address, k -> {
            try {
                return new ProxyProtocolRelay(instance.sftpPort(), address);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).port();
    }

    static JsonNode bans() {
        var response = ferry.admin().get("/api/v1/bans");
        assertThat(response.status()).isEqualTo(200);
        return response.json();
    }

    /** The entry of an address (username null) or of a username at it, or null. */
    static JsonNode entry(String address, String username) {
        for (JsonNode b : bans()) {
            boolean wholeAddress = b.get("username").isNull();
            if (b.get("address").asText().equals(address)
                    && (username == null ? wholeAddress : !wholeAddress && b.get("username").asText().equals(username))) {
                return b;
            }
        }
        return null;
    }

    static String audit(String type) {
        return ferry.admin().get("/api/v1/audit?type=" + type + "&size=500").json().get("content").toString();
    }
}
