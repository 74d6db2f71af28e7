package dev.ferry.groups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.TestPostgres;
import dev.ferry.testsupport.TestS3;
import dev.ferry.testsupport.Users;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.SshException;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.common.SftpException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Groups over the admin API and real SFTP sessions, on two replicas sharing one database: members
 * inherit permissions, quota, allowed IPs and session caps; the user's own value wins; two groups
 * combine per EffectiveSettings; a group change reaches members on both replicas without a restart.
 */
class GroupsIT {

    static FerryInstance ferry;
    static FerryInstance replica;
    static AdminClient admin;
    static String bucket;
    static final KeyPair KEY = TestKeys.ed25519();
    static final byte[] DATA = "hello".getBytes(StandardCharsets.UTF_8);

    @BeforeAll
    static void start() {
        bucket = TestS3.get().newBucket();
        Map<String, String> s3 = TestS3.get().ferrySettings(null);
        ferry = FerryInstance.start(TestPostgres.get().newDatabase(), FerryInstance.tempDir("ferry-files"), s3);
        replica = FerryInstance.start(ferry.database(), ferry.storageRoot(), s3);
        admin = ferry.admin();
    }

    @AfterAll
    static void stop() {
        replica.close();
        ferry.close();
    }

    static JsonNode createGroup(String json) {
        AdminClient.Response created = admin.post("/api/v1/groups", json);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json();
    }

    static JsonNode user(String username) {
        AdminClient.Response got = admin.get("/api/v1/users/" + username);
        assertThat(got.status()).as(got.body()).isEqualTo(200);
        return got.json();
    }

    static void assertDenied(SftpTestClient client, String path) {
        assertThatThrownBy(() -> client.put(path, DATA)).as("upload to " + path).isInstanceOf(SftpException.class);
    }

    @Test
    void aMemberInheritsPermissionsQuotaAllowedIpsAndTheSessionCap() throws Exception {
        createGroup("""
                {"name": "partners", "permissions": {"/": ["list", "download"], "/inbox": ["list", "upload", "mkdir"]},
                 "quota": {"maxFiles": 2}, "allowedIps": ["127.0.0.0/8"], "maxSessions": 1}""");
        Users.create(admin, "p1", KEY, "\"groups\":[\"partners\"]");
        assertThat(user("p1").get("groups")).hasSize(1);
        assertThat(user("p1").get("groups").get(0).asText()).isEqualTo("partners");

        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "p1", KEY)) {
            client.sftp().mkdir("/inbox");
            client.put("/inbox/a.txt", DATA);
            assertDenied(client, "/outside.txt");
            client.put("/inbox/b.txt", DATA);
            assertDenied(client, "/inbox/c.txt"); // the group's quota of 2 files
            // the group's cap of one session holds on both replicas
            assertThatThrownBy(() -> SftpTestClient.withKey(ferry.sftpPort(), "p1", KEY).close()).isInstanceOf(SshException.class);
            assertThatThrownBy(() -> SftpTestClient.withKey(replica.sftpPort(), "p1", KEY).close()).isInstanceOf(SshException.class);
        }

        createGroup("{\"name\": \"offsite\", \"allowedIps\": [\"10.0.0.0/8\"]}");
        Users.create(admin, "p2", KEY, "\"groups\":[\"offsite\"]");
        assertThatThrownBy(() -> SftpTestClient.withKey(ferry.sftpPort(), "p2", KEY).close()).isInstanceOf(SshException.class);

        JsonNode effective = user("p1").get("effective");
        assertThat(effective.get("quota").get("maxFiles").get("value").asLong()).isEqualTo(2);
        assertThat(effective.get("quota").get("maxFiles").get("source").asText()).isEqualTo("group:partners");
        assertThat(effective.get("quota").get("maxBytes").get("source").asText()).isEqualTo("default");
        assertThat(effective.get("maxSessions").get("source").asText()).isEqualTo("group:partners");
        assertThat(effective.get("allowedIps").get("value").get(0).asText()).isEqualTo("127.0.0.0/8");
        assertThat(effective.get("permissions").get("/inbox").get("source").asText()).isEqualTo("group:partners");
        assertThat(user("p1").get("permissions").size()).as("the member sets no permissions of its own").isZero();
    }

    @Test
    void theUsersOwnValueWinsOverTheGroup() throws Exception {
        createGroup("{\"name\": \"strict\", \"permissions\": {\"/\": [\"list\"]}, \"maxSessions\": 1, \"quota\": {\"maxFiles\": 1}}");
        Users.create(admin, "own1", KEY, "\"groups\":[\"strict\"], \"maxSessions\": 2, \"quota\": {\"maxFiles\": 3},"
                + "\"permissions\": {\"/\": [\"*\"]}");
        try (SftpTestClient first = SftpTestClient.withKey(ferry.sftpPort(), "own1", KEY);
                SftpTestClient second = SftpTestClient.withKey(replica.sftpPort(), "own1", KEY)) {
            first.put("/1.txt", DATA);
            second.put("/2.txt", DATA);
            first.put("/3.txt", DATA);
            assertDenied(second, "/4.txt"); // the user's own quota of 3 files
        }
        JsonNode effective = user("own1").get("effective");
        assertThat(effective.get("maxSessions").get("value").asInt()).isEqualTo(2);
        assertThat(effective.get("maxSessions").get("source").asText()).isEqualTo("user");
        assertThat(effective.get("permissions").get("/").get("source").asText()).isEqualTo("user");
    }

    @Test
    void twoGroupsCombinePermissionsPerPathAndTheFirstGroupThatSetsAValueWins() throws Exception {
        createGroup("{\"name\": \"team-a\", \"permissions\": {\"/\": [\"list\"], \"/a\": [\"list\", \"upload\"]}, \"quota\": {\"maxFiles\": 2}}");
        createGroup("{\"name\": \"team-b\", \"permissions\": {\"/a\": [\"download\", \"mkdir\"], \"/b\": [\"*\"]}, "
                + "\"quota\": {\"maxFiles\": 50}, \"maxSessions\": 3}");
        Users.create(admin, "both", KEY, "\"groups\":[\"team-a\", \"team-b\"]");
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "both", KEY)) {
            client.sftp().mkdir("/a");
            client.sftp().mkdir("/b");
            client.put("/a/1.txt", DATA);
            try (SftpClient.CloseableHandle h = client.sftp().open("/a/1.txt", SftpClient.OpenMode.Read)) {
                assertThat(client.sftp().read(h, 0, new byte[16], 0, 16)).isEqualTo(DATA.length); // download from team-b
            }
            client.put("/b/2.txt", DATA);
            assertDenied(client, "/b/3.txt"); // quota from team-a, the first group
            assertThatThrownBy(() -> client.sftp().mkdir("/c")).isInstanceOf(SftpException.class);
        }
        JsonNode effective = user("both").get("effective");
        assertThat(effective.get("permissions").get("/a").get("source").asText()).isEqualTo("group:team-a,group:team-b");
        assertThat(effective.get("quota").get("maxFiles").get("source").asText()).isEqualTo("group:team-a");
        assertThat(effective.get("maxSessions").get("source").asText()).isEqualTo("group:team-b");
    }

    @Test
    void changingAGroupReachesItsMembersOnEveryReplicaWithoutARestart() throws Exception {
        createGroup("{\"name\": \"readers\", \"permissions\": {\"/\": [\"list\"]}}");
        Users.create(admin, "m1", KEY, "\"groups\":[\"readers\"]");
        try (SftpTestClient open = SftpTestClient.withKey(replica.sftpPort(), "m1", KEY)) {
            assertDenied(open, "/x.txt");
            AdminClient.Response changed = admin.put("/api/v1/groups/readers", "{\"permissions\": {\"/\": [\"*\"]}}");
            assertThat(changed.status()).as(changed.body()).isEqualTo(200);
            try (SftpTestClient next = SftpTestClient.withKey(replica.sftpPort(), "m1", KEY)) {
                next.put("/next-login.txt", DATA);
            }
            // the session opened before the change follows at its next refresh (the heartbeat, every 2 s)
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (true) {
                try {
                    open.put("/open-session.txt", DATA);
                    break;
                } catch (SftpException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(200);
                }
            }
            // and back: the open session loses the right again
            assertThat(admin.put("/api/v1/groups/readers", "{\"permissions\": {\"/\": [\"list\"]}}").status()).isEqualTo(200);
            deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            int n = 0;
            while (true) {
                try {
                    open.put("/again-" + n++ + ".txt", DATA);
                } catch (SftpException e) {
                    break;
                }
                assertThat(System.nanoTime()).as("the open session still uploads 30 s after the group lost the right").isLessThan(deadline);
                Thread.sleep(200);
            }
        }
        // a PUT of the user without "groups" keeps them
        Users.update(admin, "m1", u -> u.remove("groups"));
        assertThat(user("m1").get("groups").get(0).asText()).isEqualTo("readers");
    }

    @Test
    void aGroupWithMembersIsNotDeleted() {
        createGroup("{\"name\": \"doomed\"}");
        Users.create(admin, "d1", KEY, "\"groups\":[\"doomed\"]");
        AdminClient.Response refused = admin.delete("/api/v1/groups/doomed");
        assertThat(refused.status()).as(refused.body()).isEqualTo(409);
        assertThat(refused.body()).contains("d1").contains("remove it from their groups first");
        assertThat(admin.get("/api/v1/groups/doomed").json().get("members").asLong()).isEqualTo(1);

        Users.update(admin, "d1", u -> u.putArray("groups"));
        assertThat(admin.delete("/api/v1/groups/doomed").status()).isEqualTo(204);
        assertThat(admin.get("/api/v1/groups/doomed").status()).isEqualTo(404);
        String audit = admin.get("/api/v1/audit?type=ADMIN&size=200").body();
        assertThat(audit).contains("created group doomed").contains("deleted group doomed").contains("/api/v1/groups/doomed");
    }

    @Test
    void badInputIsRefusedWithAMessageNamingTheField() {
        createGroup("{\"name\": \"Clash\"}");
        assertProblem(admin.post("/api/v1/groups", "{\"name\": \"Clash\"}"), 409, "already exists");
        assertProblem(admin.post("/api/v1/groups", "{\"name\": \"clash\"}"), 409, "regardless of case");
        assertProblem(admin.post("/api/v1/groups", "{\"name\": \"x/y\"}"), 400, "group name 'x/y' is not allowed");
        assertProblem(admin.post("/api/v1/groups", "{\"name\": \"..x\"}"), 400, "is not allowed");
        assertProblem(admin.post("/api/v1/groups", "{\"name\": \"g1\", \"permissions\": {\"/\": [\"fly\"]}}"), 400,
                "unknown permission 'fly'");
        assertProblem(admin.post("/api/v1/groups", "{\"name\": \"g1\", \"allowedIps\": [\"10.0.0.0/33\"]}"), 400,
                "'10.0.0.0/33' is not an IP address or CIDR");
        assertProblem(admin.post("/api/v1/groups", "{\"name\": \"g1\", \"quota\": {\"maxBytes\": -1}}"), 400, "quota.maxBytes");
        assertProblem(admin.post("/api/v1/groups", "{\"name\": \"g1\", \"storage\": {\"type\": \"s3\", \"bucket\": \"b\", "
                + "\"prefix\": \"partners/../{username}/\"}}"), 400, "must not contain empty, '.' or '..' segments");
        assertProblem(admin.post("/api/v1/groups", "{\"name\": \"g1\", \"storage\": {\"type\": \"s3\", \"bucket\": \"b\", "
                + "\"prefix\": \"partners/{user}/\"}}"), 400, "placeholder other than {username}");
        assertProblem(admin.post("/api/v1/groups", "{\"name\": \"g1\", \"storage\": {\"type\": \"ftp\"}}"), 400, "storage type 'ftp'");
        assertProblem(admin.post("/api/v1/groups", "{\"name\": \"g1\", \"virtualFolders\": [{\"path\": \"/shared\"}]}"), 400,
                "not supported yet");
        assertProblem(admin.post("/api/v1/groups", "{\"name\": \"g1\", \"colour\": \"red\"}"), 400, "colour");
        assertProblem(admin.put("/api/v1/groups/Clash", "{\"name\": \"other\"}"), 400, "cannot be changed");
        assertThat(admin.get("/api/v1/groups/g1").status()).isEqualTo(404);

        assertProblem(admin.post("/api/v1/users", "{\"username\": \"u-bad\", \"groups\": [\"nosuch\"]}"), 400, "no group named 'nosuch'");
        assertProblem(admin.post("/api/v1/users", "{\"username\": \"u-bad\", \"groups\": [\"Clash\", \"clash\"]}"), 400, "listed twice");
        assertThat(admin.get("/api/v1/users/u-bad").status()).isEqualTo(404);
        Users.create(admin, "u-ok", KEY, "\"groups\":[\"clash\"]");
        assertThat(user("u-ok").get("groups").get(0).asText()).as("stored under the group's own spelling").isEqualTo("Clash");
        assertProblem(admin.put("/api/v1/users/u-ok", "{\"groups\": [\"nosuch\"]}"), 400, "no group named 'nosuch'");
        assertThat(user("u-ok").get("groups").get(0).asText()).isEqualTo("Clash");
    }

    @Test
    void auditorsReadGroupsAndOnlyAdminsChangeThem() {
        createGroup("{\"name\": \"visible\"}");
        assertThat(admin.post("/api/v1/admins", "{\"username\": \"grp-auditor\", \"password\": \"auditor-password-42\", \"role\": \"AUDITOR\"}")
                .status()).isEqualTo(201);
        AdminClient auditor = admin.as("grp-auditor", "auditor-password-42");
        assertThat(auditor.get("/api/v1/groups").status()).isEqualTo(200);
        assertThat(auditor.get("/api/v1/groups").body()).contains("\"visible\"");
        assertThat(auditor.get("/api/v1/groups/visible").status()).isEqualTo(200);
        assertThat(auditor.post("/api/v1/groups", "{\"name\": \"sneaky\"}").status()).isEqualTo(403);
        assertThat(auditor.put("/api/v1/groups/visible", "{\"maxSessions\": 9}").status()).isEqualTo(403);
        assertThat(auditor.delete("/api/v1/groups/visible").status()).isEqualTo(403);
    }

    @Test
    void twentySessionsOfGroupMembersWorkInOneDirectoryAtOnce() throws Exception {
        createGroup("{\"name\": \"crowd\", \"permissions\": {\"/\": [\"list\"], \"/drop\": [\"*\"]}, \"maxSessions\": 5}");
        for (int u = 0; u < 4; u++) {
            Users.create(admin, "crowd" + u, KEY, "\"groups\":[\"crowd\"]");
            try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "crowd" + u, KEY)) {
                client.sftp().mkdir("/drop");
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String username = "crowd" + (i % 4);
                int port = i % 2 == 0 ? ferry.sftpPort() : replica.sftpPort();
                String file = "/drop/f" + i + ".txt";
                Callable<String> session = () -> {
                    try (SftpTestClient client = SftpTestClient.withKey(port, username, KEY)) {
                        client.put(file, DATA);
                        assertThatThrownBy(() -> client.put("/root" + file.substring(6), DATA)).isInstanceOf(SftpException.class);
                        return username + file;
                    }
                };
                results.add(pool.submit(session));
            }
            Set<String> done = new HashSet<>();
            for (Future<String> result : results) {
                done.add(result.get(2, TimeUnit.MINUTES));
            }
            assertThat(done).hasSize(20);
        } finally {
            pool.shutdownNow();
        }
        for (int u = 0; u < 4; u++) {
            try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "crowd" + u, KEY)) {
                List<String> names = new ArrayList<>();
                client.sftp().readDir("/drop").forEach(e -> names.add(e.getFilename()));
                assertThat(names).filteredOn(n -> n.endsWith(".txt")).hasSize(5);
            }
        }
    }

    @Test
    void aMemberCreatedWithoutStorageGetsTheGroupsWithItsNameInThePrefix() throws Exception {
        createGroup("{\"name\": \"s3partners\", \"storage\": {\"type\": \"s3\", \"bucket\": \"" + bucket
                + "\", \"prefix\": \"partners/{username}/\"}}");
        assertThat(admin.get("/api/v1/groups/s3partners").json().get("storage").get("prefix").asText()).isEqualTo("partners/{username}/");
        Users.create(admin, "s3p.one", KEY, "\"groups\":[\"s3partners\"]");
        JsonNode storage = user("s3p.one").get("storage");
        assertThat(storage.get("type").asText()).isEqualTo("s3");
        assertThat(storage.get("bucket").asText()).isEqualTo(bucket);
        assertThat(storage.get("prefix").asText()).isEqualTo("partners/s3p.one/");
        try (SftpTestClient client = SftpTestClient.withKey(replica.sftpPort(), "s3p.one", KEY)) {
            client.put("/hello.txt", DATA);
        }
        assertThat(TestS3.get().client().headObject(b -> b.bucket(bucket).key("partners/s3p.one/hello.txt")).contentLength())
                .isEqualTo(DATA.length);
        // the user's own storage wins
        Users.create(admin, "s3p-local", KEY, "\"groups\":[\"s3partners\"], \"storage\": {\"type\": \"local\"}");
        assertThat(user("s3p-local").get("storage").get("type").asText()).isEqualTo("local");
    }

    static void assertProblem(AdminClient.Response response, int status, String message) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.body()).contains(message);
    }
}
