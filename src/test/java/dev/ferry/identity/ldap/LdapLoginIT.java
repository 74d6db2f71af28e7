package dev.ferry.identity.ldap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.ExternalCommand;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.Paramiko;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.sshd.common.SshException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;

/**
 * SFTP users from a real LDAP server (UnboundID's in-memory directory) over real sockets: password
 * logins by bind, keys from {@code sshPublicKey}, groups (by group search and by {@code memberOf})
 * mapped to profiles, disabled and deleted accounts, LDAP injection, and the directory going down
 * (last: the directory is not restarted).
 */
@ExtendWith(OutputCaptureExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LdapLoginIT {

    static final String PEOPLE = "ou=people," + TestDirectory.BASE;
    static final String PARTNERS = "cn=partners,ou=groups," + TestDirectory.BASE;
    static final String READERS = "cn=readers,ou=groups," + TestDirectory.BASE;

    static TestDirectory directory;
    static FerryInstance ferry;
    static AdminClient admin;
    static KeyPair aliceKey = TestKeys.ed25519();
    static KeyPair eveKey = TestKeys.ed25519();

    @BeforeAll
    static void start() throws Exception {
        directory = new TestDirectory(String.join("\n",
                entry(TestDirectory.BASE, "objectClass: top", "objectClass: domain", "dc: example"),
                entry(PEOPLE, "objectClass: organizationalUnit", "ou: people"),
                entry("ou=groups," + TestDirectory.BASE, "objectClass: organizationalUnit", "ou: groups"),
                person("alice", "alice-secret", "sshPublicKey: " + TestKeys.publicLine(aliceKey),
                        "sshPublicKey: not a key at all"),
                person("bob", "bob-secret", "memberOf: " + READERS),
                person("carol", "carol-secret", "nsAccountLock: true"),
                person("dave", "dave-secret", "userAccountControl: 514"),
                person("eve", "eve-secret", "sshPublicKey: " + TestKeys.publicLine(eveKey)),
                person("frank", "directory-frank"),
                person("gina", "gina-secret"),
                person("hank", "hank-secret"),
                entry(PARTNERS, "objectClass: groupOfNames", "cn: partners", "member: uid=alice," + PEOPLE,
                        "member: uid=carol," + PEOPLE, "member: uid=dave," + PEOPLE, "member: uid=eve," + PEOPLE,
                        "member: uid=frank," + PEOPLE, "member: uid=hank," + PEOPLE),
                entry(READERS, "objectClass: groupOfNames", "cn: readers", "member: uid=bob," + PEOPLE)));
        ferry = FerryInstance.start(TestPostgres.get().newDatabase(), FerryInstance.tempDir("ferry-files"), Map.ofEntries(
                Map.entry("sftp.ldap.url", directory.url()),
                Map.entry("sftp.ldap.base", TestDirectory.BASE),
                Map.entry("sftp.ldap.bind-dn", TestDirectory.BIND_DN),
                Map.entry("sftp.ldap.bind-password", TestDirectory.BIND_PASSWORD),
                Map.entry("sftp.ldap.user-filter", "(&(objectClass=inetOrgPerson)(uid={0}))"),
                Map.entry("sftp.ldap.group-search-base", "ou=groups"),
                Map.entry("sftp.ldap.disabled-filter", "(nsAccountLock=true)"),
                Map.entry("sftp.ldap.cache-ttl", "2s"),
                Map.entry("sftp.ldap.profiles[0].group", "partners"),
                Map.entry("sftp.ldap.profiles[0].permissions[/]", "list,download,upload,mkdir"),
                Map.entry("sftp.ldap.profiles[0].quota.max-files", "100"),
                Map.entry("sftp.ldap.profiles[1].group", READERS),
                Map.entry("sftp.ldap.profiles[1].permissions[/]", "list,download")));
        admin = ferry.admin();
    }

    @AfterAll
    static void stop() {
        if (ferry != null) {
            ferry.close();
        }
        if (directory != null) {
            directory.close();
        }
    }

    static String entry(String dn, String... lines) {
        return "dn: " + dn + "\n" + String.join("\n", lines) + "\n";
    }

    static String person(String uid, String password, String... more) {
        return entry("uid=" + uid + "," + PEOPLE, List.of("objectClass: inetOrgPerson", "uid: " + uid, "cn: " + uid, "sn: " + uid,
                "userPassword: " + password, String.join("\n", more)).stream().filter(l -> !l.isEmpty()).toArray(String[]::new));
    }

    static void refused(ThrowingLogin login) {
        assertThatThrownBy(() -> login.run().close()).isInstanceOf(SshException.class);
    }

    interface ThrowingLogin {
        SftpTestClient run() throws Exception;
    }

    /** Logs in with paramiko and a password (which may be empty): "OK [names]" or "AUTH-FAILED". */
    static String paramikoPassword(String username, String password) {
        String script = String.join("\n",
                "import sys, paramiko",
                "t = paramiko.Transport(('127.0.0.1', int(sys.argv[1])))",
                "try:",
                "    t.connect(username=sys.argv[2], password=sys.stdin.read())",
                "    print('OK', paramiko.SFTPClient.from_transport(t).listdir('/'))",
                "except paramiko.AuthenticationException:",
                "    print('AUTH-FAILED')",
                "finally:",
                "    t.close()");
        ExternalCommand.Result run = ExternalCommand.run(FerryInstance.tempDir("paramiko"),
                List.of("/usr/bin/python3", "-c", script, String.valueOf(ferry.sftpPort()), username), password);
        assertThat(run.exitCode()).as(run.output()).isZero();
        return run.output().lines().filter(l -> l.startsWith("OK") || l.startsWith("AUTH-FAILED")).findFirst().orElse(run.output());
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
    @Order(1)
    void passwordLoginBindsAsTheUserAndCreatesTheUserJustInTime(CapturedOutput output) throws Exception {
        assertThat(admin.get("/api/v1/users/alice").status()).isEqualTo(404);
        try (SftpTestClient client = SftpTestClient.withPassword(ferry.sftpPort(), "alice", "alice-secret")) {
            client.sftp().mkdir("/in");
            client.put("/in/report.csv", "a,b\n".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(ferry.homeOf("alice").resolve("in/report.csv")).hasContent("a,b");

        JsonNode alice = admin.get("/api/v1/users/alice").json();
        assertThat(alice.get("source").asString()).isEqualTo("ldap");
        assertThat(alice.get("hasPassword").asBoolean()).isFalse();
        assertThat(alice.get("permissions").get("/").toString()).contains("upload", "mkdir");
        assertThat(alice.get("quota").get("maxFiles").asLong()).isEqualTo(100);
        assertThat(admin.get("/api/v1/users?q=ali").body()).contains("\"alice\"");
        await("alice's LOGIN and UPLOAD audited", () -> audit("alice").contains("\"LOGIN\"") && audit("alice").contains("UPLOAD"));
        assertThat(output.getAll()).doesNotContain("alice-secret");
    }

    @Test
    @Order(2)
    void keyLoginFromTheKeyAttributeWithRealClients() throws Exception {
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "alice", aliceKey)) {
            assertThat(client.sftp().canonicalPath(".")).isEqualTo("/");
        }
        Path work = FerryInstance.tempDir("paramiko");
        Path keyFile = TestKeys.writePrivateKey(eveKey, work);
        Paramiko.Outcome listed = new Paramiko(ferry.sftpPort(), "eve", keyFile).one(work, "listdir", "/");
        assertThat(listed.ok()).as(listed.error()).isTrue();
        assertThat(admin.get("/api/v1/users/eve").json().get("source").asString()).isEqualTo("ldap");
        // someone else's key, and a key nobody has, are refused
        refused(() -> SftpTestClient.withKey(ferry.sftpPort(), "alice", eveKey));
        refused(() -> SftpTestClient.withKey(ferry.sftpPort(), "alice", TestKeys.ed25519()));
    }

    @Test
    @Order(3)
    void wrongEmptyAndOtherUsersPasswordsAreRefused() {
        refused(() -> SftpTestClient.withPassword(ferry.sftpPort(), "alice", "wrong"));
        // A bind with a DN and an empty password is an "unauthenticated bind", which some directories (AD
        // among them) answer with success. UnboundID refuses it, so this also holds without Ferry's own
        // check; it proves the end result with a client that sends an empty password (MINA's will not).
        assertThat(paramikoPassword("alice", "")).startsWith("AUTH-FAILED");
        assertThat(paramikoPassword("alice", "alice-secret")).startsWith("OK");
        refused(() -> SftpTestClient.withPassword(ferry.sftpPort(), "alice", "bob-secret"));
        refused(() -> SftpTestClient.withPassword(ferry.sftpPort(), "nobody", "alice-secret"));
    }

    @Test
    @Order(4)
    void groupsMapToProfiles() throws Exception {
        // bob is a reader (by memberOf): he may list and download, not upload
        try (SftpTestClient client = SftpTestClient.withPassword(ferry.sftpPort(), "bob", "bob-secret")) {
            assertThat(client.sftp().readDir("/")).isNotNull();
            assertThatThrownBy(() -> client.put("/x.txt", new byte[] {1})).isInstanceOf(java.io.IOException.class);
        }
        assertThat(Files.exists(ferry.homeOf("bob").resolve("x.txt"))).isFalse();
        assertThat(admin.get("/api/v1/users/bob").json().get("permissions").get("/").toString()).isEqualTo("[\"list\",\"download\"]");
        // gina is in no mapped group: refused, and no row for her
        refused(() -> SftpTestClient.withPassword(ferry.sftpPort(), "gina", "gina-secret"));
        assertThat(admin.get("/api/v1/users/gina").status()).isEqualTo(404);
    }

    @Test
    @Order(5)
    void disabledAccountsAreRefusedWithTheRightPassword() throws Exception {
        refused(() -> SftpTestClient.withPassword(ferry.sftpPort(), "carol", "carol-secret")); // the disabled filter
        refused(() -> SftpTestClient.withPassword(ferry.sftpPort(), "dave", "dave-secret")); // AD's userAccountControl bit
        await("carol's refusal audited", () -> audit("carol").contains("account disabled in the directory"));
        assertThat(admin.get("/api/v1/users/carol").status()).isEqualTo(404);
    }

    @Test
    @Order(6)
    void ldapInjectionInTheUsernameMatchesNobody() throws Exception {
        for (String name : List.of("*)(uid=*", "*", "alice)(uid=*", "al*", "*)(|(uid=*")) {
            refused(() -> SftpTestClient.withPassword(ferry.sftpPort(), name, "alice-secret"));
        }
        // below the SFTP layer's name rules too: the filter value is escaped, so these match no entry
        LdapDirectory raw = new LdapDirectory(ferry.bean(LdapProperties.class));
        assertThat(raw.find("*)(uid=*")).isNull();
        assertThat(raw.find("*")).isNull();
        assertThat(raw.find("al*")).isNull();
        assertThat(raw.find("alice)(|(uid=*")).isNull();
        assertThat(raw.find("alice")).isNotNull();
    }

    @Test
    @Order(7)
    void localUsersWin() throws Exception {
        var created = admin.post("/api/v1/users", "{\"username\":\"frank\",\"password\":\"local-frank-1\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        refused(() -> SftpTestClient.withPassword(ferry.sftpPort(), "frank", "directory-frank"));
        try (SftpTestClient client = SftpTestClient.withPassword(ferry.sftpPort(), "frank", "local-frank-1")) {
            assertThat(client.sftp().canonicalPath(".")).isEqualTo("/");
        }
        assertThat(admin.get("/api/v1/users/frank").json().get("source").asString()).isEqualTo("local");
        // a GET answer PUT back as it is (source is read-only, like createdAt) is accepted, for local and directory users
        for (String name : List.of("frank", "alice")) {
            var put = admin.put("/api/v1/users/" + name, admin.get("/api/v1/users/" + name).body());
            assertThat(put.status()).as(put.body()).isEqualTo(200);
        }
        assertThat(admin.get("/api/v1/users/alice").json().get("source").asString()).isEqualTo("ldap");
    }

    @Test
    @Order(8)
    void deletedDirectoryUserIsRefusedWithinTheCacheTtl() throws Exception {
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "hank", hankKey())) {
            assertThat(client.sftp().canonicalPath(".")).isEqualTo("/");
        }
        directory.server().delete("uid=hank," + PEOPLE);
        // a password is always checked by a bind: refused at once
        refused(() -> SftpTestClient.withPassword(ferry.sftpPort(), "hank", "hank-secret"));
        // a key is checked against the cached entry until it expires (2s here, at most a minute)
        await("hank's key refused once the cached entry expired", () -> {
            try {
                SftpTestClient.withKey(ferry.sftpPort(), "hank", hankKey()).close();
                return false;
            } catch (Exception e) {
                return true;
            }
        });
    }

    static KeyPair hankKey;

    static KeyPair hankKey() throws Exception {
        if (hankKey == null) {
            hankKey = TestKeys.ed25519();
            directory.server().modify("uid=hank," + PEOPLE,
                    new com.unboundid.ldap.sdk.Modification(com.unboundid.ldap.sdk.ModificationType.ADD, "sshPublicKey",
                            TestKeys.publicLine(hankKey)));
        }
        return hankKey;
    }

    @Test
    @Order(100)
    void directoryDownRefusesLoginsWithAClearLogLineAndNoFallback(CapturedOutput output) throws Exception {
        directory.stop();
        // alice logged in with this password before: nothing of it is kept to fall back on
        refused(() -> SftpTestClient.withPassword(ferry.sftpPort(), "alice", "alice-secret"));
        assertThat(output.getAll()).contains("LDAP directory " + directory.url() + " did not answer: refused the login of alice");
        assertThat(output.getAll()).doesNotContain("alice-secret");
        await("the refusal audited with its reason", () -> audit("alice").contains("ldap: directory unreachable"));
        // keys too, once the cached entry expired
        await("alice's key refused", () -> {
            try {
                SftpTestClient.withKey(ferry.sftpPort(), "alice", aliceKey).close();
                return false;
            } catch (Exception e) {
                return true;
            }
        });
        // local users are not affected
        try (SftpTestClient client = SftpTestClient.withPassword(ferry.sftpPort(), "frank", "local-frank-1")) {
            assertThat(client.sftp().canonicalPath(".")).isEqualTo("/");
        }
    }
}
