package dev.ferry.hostkeys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.ExternalCommand;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.Users;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.signature.BuiltinSignatures;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Host key rotation through /api/v1/host-keys as OpenSSH users live it: OpenSSH's sftp with its own
 * known_hosts, {@code StrictHostKeyChecking=yes} and {@code UpdateHostKeys=yes}, against one Ferry
 * and a second replica on the same database that learns every change without a restart.
 */
class HostKeyRotationIT {

    /** The replica polls every 10 s by default; the promise to operators is "within a minute". */
    private static final Duration REPLICA_FOLLOWS = Duration.ofSeconds(60);

    static FerryInstance ferry;
    static FerryInstance replica;
    static AdminClient admin;
    static Path dir;
    static Path userKey;
    static KeyPair user;

    @BeforeAll
    static void start() {
        ferry = FerryInstance.start();
        replica = ferry.replica();
        admin = ferry.admin();
        dir = FerryInstance.tempDir("ferry-hostkeys");
        user = TestKeys.ed25519();
        userKey = TestKeys.writePrivateKey(user, dir);
        Users.create(admin, "rotator", user, "");
    }

    @AfterAll
    static void stop() {
        if (replica != null) {
            replica.close();
        }
        if (ferry != null) {
            ferry.close();
        }
    }

    @Test
    void rotationWithOpenSshUpdateHostKeysOnBothReplicas() throws IOException {
        JsonNode initial = admin.get("/api/v1/host-keys").json();
        JsonNode oldKey = only(initial, "ssh-ed25519");
        JsonNode rsaKey = only(initial, "ssh-rsa");
        assertThat(oldKey.get("primary").asBoolean()).isTrue();
        assertThat(oldKey.get("state").asString()).isEqualTo("active");
        String oldLine = oldKey.get("publicKey").asString();

        // 1. A new key is added: advertised, not yet presented. A client that knows the old key learns the new one.
        AdminClient.Response added = admin.post("/api/v1/host-keys", "{\"algorithm\":\"ed25519\",\"label\":\"2027 rotation\"}");
        assertThat(added.status()).as(added.body()).isEqualTo(201);
        assertThat(added.header("Location")).endsWith("/api/v1/host-keys/" + added.json().get("id").asLong());
        JsonNode newKey = added.json();
        long newId = newKey.get("id").asLong();
        String newLine = newKey.get("publicKey").asString();
        assertThat(newKey.get("primary").asBoolean()).isFalse();
        assertThat(newKey.get("label").asString()).isEqualTo("2027 rotation");
        assertThat(newKey.get("fingerprint").asString()).startsWith("SHA256:").isEqualTo(fingerprintOf(newLine));
        assertThat(added.body()).doesNotContain("PRIVATE");

        Path knowsOld = knownHosts(ferry, oldLine);
        assertConnects(ferry, knowsOld);
        assertThat(read(knowsOld)).as("UpdateHostKeys added the advertised key after checking its proof").contains(blob(newLine));
        assertConnects(ferry, knowsOld);

        Path replicaKnowsOld = knownHosts(replica, oldLine);
        await("the replica advertises the new key", () -> connects(replica, replicaKnowsOld) && read(replicaKnowsOld).contains(blob(newLine)));

        // Not primary yet: a client knowing only the new key is refused.
        Path knowsNew = knownHosts(ferry, newLine);
        assertRefused(ferry, knowsNew);

        // 2. The new key becomes primary: a client knowing only the new key connects. A session open
        // before keeps the old key when it re-keys (OpenSSH ends a session whose host key changes then).
        List<PublicKey> seenByOpenSession = new CopyOnWriteArrayList<>();
        SshClient ed25519Client = SshClient.setUpDefaultClient();
        ed25519Client.setSignatureFactories(List.of(BuiltinSignatures.ed25519));
        ed25519Client.setServerKeyVerifier((session, address, key) -> seenByOpenSession.add(key));
        ed25519Client.start();
        try (ClientSession open = ed25519Client.connect("rotator", "127.0.0.1", ferry.sftpPort()).verify(Duration.ofSeconds(30)).getSession()) {
            open.addPublicKeyIdentity(user);
            open.auth().verify(Duration.ofSeconds(30));
            SftpClient files = SftpClientFactory.instance().createSftpClient(open);

            AdminClient.Response primary = admin.post("/api/v1/host-keys/" + newId + "/primary", "");
            assertThat(primary.status()).as(primary.body()).isEqualTo(200);
            assertThat(open.reExchangeKeys().verify(Duration.ofSeconds(30)).isDone()).isTrue();
            assertThat(files.canonicalPath(".")).isEqualTo("/");
            assertThat(seenByOpenSession).as("the key of each key exchange of the open session").hasSize(2)
                    .allMatch(key -> PublicKeyEntry.toString(key).equals(blobLine(oldLine)));
        } finally {
            ed25519Client.stop();
        }
        AdminClient.Response primary = admin.get("/api/v1/host-keys/" + newId);
        assertThat(primary.json().get("primary").asBoolean()).isTrue();
        assertThat(key(oldKey.get("id").asLong()).get("primary").asBoolean()).as("one primary per algorithm").isFalse();
        assertConnects(ferry, knowsNew);
        Path replicaKnowsNew = knownHosts(replica, newLine);
        await("the replica presents the new key", () -> connects(replica, replicaKnowsNew));

        // 3. The old key is retired: a client knowing only it is refused, and it is no longer advertised
        // (UpdateHostKeys removes it from a known_hosts that still has it).
        AdminClient.Response retired = admin.post("/api/v1/host-keys/" + oldKey.get("id").asLong() + "/retire", "");
        assertThat(retired.status()).as(retired.body()).isEqualTo(200);
        assertThat(retired.json().get("state").asString()).isEqualTo("retired");
        assertRefused(ferry, knownHosts(ferry, oldLine));
        Path knowsBoth = knownHosts(ferry, oldLine, newLine);
        assertConnects(ferry, knowsBoth);
        assertThat(read(knowsBoth)).contains(blob(newLine)).doesNotContain(blob(oldLine));
        await("the replica stops advertising the old key", () -> {
            Path replicaKnowsBoth = knownHosts(replica, oldLine, newLine);
            return connects(replica, replicaKnowsBoth) && !read(replicaKnowsBoth).contains(blob(oldLine));
        });
        assertRefused(replica, knownHosts(replica, oldLine));

        // The last active key stays: retiring or deleting it is refused, and nothing changes.
        assertThat(admin.post("/api/v1/host-keys/" + rsaKey.get("id").asLong() + "/retire", "").status()).isEqualTo(200);
        String before = admin.get("/api/v1/host-keys").body();
        assertProblem(admin.post("/api/v1/host-keys/" + newId + "/retire", ""), 409, "last active host key");
        assertProblem(admin.delete("/api/v1/host-keys/" + newId), 409, "last active host key");
        assertThat(admin.get("/api/v1/host-keys").body()).isEqualTo(before);
        assertConnects(ferry, knowsNew);

        // A retired key can serve again (primary: its algorithm has no other active key), and be deleted for good.
        AdminClient.Response activated = admin.post("/api/v1/host-keys/" + rsaKey.get("id").asLong() + "/activate", "");
        assertThat(activated.json().get("state").asString()).isEqualTo("active");
        assertThat(activated.json().get("primary").asBoolean()).isTrue();
        assertThat(admin.delete("/api/v1/host-keys/" + oldKey.get("id").asLong()).status()).isEqualTo(204);
        assertThat(admin.get("/api/v1/host-keys/" + oldKey.get("id").asLong()).status()).isEqualTo(404);

        List<String> audit = ferry.bean(JdbcTemplate.class).queryForList(
                "select detail from audit_events where type = 'ADMIN' and path like '/api/v1/host-keys/%' order by id", String.class);
        assertThat(audit).anyMatch(d -> d.startsWith("generated host key ssh-ed25519 " + newKey.get("fingerprint").asString()))
                .anyMatch(d -> d.startsWith("made host key ssh-ed25519") && d.endsWith("primary"))
                .anyMatch(d -> d.startsWith("retired host key ssh-ed25519 " + oldKey.get("fingerprint").asString()))
                .anyMatch(d -> d.startsWith("deleted host key"));
    }

    @Test
    void importedKeysFollowTheCryptoPolicyAndBadInputChangesNothing() {
        String before = admin.get("/api/v1/host-keys").body();

        assertProblem(admin.post("/api/v1/host-keys", "{\"algorithm\":\"blowfish\"}"), 400, "unknown host key algorithm 'blowfish'");
        assertProblem(admin.post("/api/v1/host-keys", "{\"algorithm\":\"dsa\"}"), 400, "ssh-dss");
        assertProblem(admin.post("/api/v1/host-keys", "{\"algorithm\":\"rsa\",\"bits\":2048}"), 400, "3072");
        assertProblem(admin.post("/api/v1/host-keys", "{\"algorithm\":\"ecdsa\",\"bits\":255}"), 400, "256, 384 or 521");
        assertProblem(admin.post("/api/v1/host-keys", "{}"), 400, "algorithm is required");
        assertProblem(admin.post("/api/v1/host-keys", ""), 400, null);
        assertProblem(admin.post("/api/v1/host-keys", "{\"algorithm\":\"ed25519\",\"colour\":\"blue\"}"), 400, null);
        assertProblem(admin.post("/api/v1/host-keys", "{\"algorithm\":\"ed25519\",\"label\":\"a\\u0007b\"}"), 400, "control characters");
        assertProblem(admin.post("/api/v1/host-keys", "{\"privateKey\":\"-----BEGIN OPENSSH PRIVATE KEY-----\\nbm90IGEga2V5\\n"
                + "-----END OPENSSH PRIVATE KEY-----\\n\"}"), 400, "not a private key Ferry can read");
        assertProblem(admin.post("/api/v1/host-keys", "{\"privateKey\":" + AdminClient.quote(TestKeys.publicLine(TestKeys.ed25519())) + "}"),
                400, "private key");
        assertProblem(importing(keygen("rsa1024", "-t", "rsa", "-b", "1024")), 400, "this RSA key has 1024 bits");
        assertProblem(importing(openSshFile(TestKeys.generate("ssh-dss", 1024))), 400, "ssh-dss (DSA) host keys are refused");
        String encrypted = keygen("encrypted", "-t", "ed25519", "-N", "correct horse");
        assertProblem(importing(encrypted), 400, "encrypted");
        assertProblem(admin.post("/api/v1/host-keys", "{\"privateKey\":" + AdminClient.quote(encrypted) + ",\"passphrase\":\"wrong\"}"),
                400, "passphrase");
        assertProblem(admin.post("/api/v1/host-keys", "{\"privateKey\":" + AdminClient.quote(encrypted) + ",\"algorithm\":\"ed25519\"}"),
                400, "not both");
        assertProblem(admin.post("/api/v1/host-keys/999999/retire", ""), 404, "no host key with id 999999");
        assertThat(admin.get("/api/v1/host-keys").body()).as("nothing changed").isEqualTo(before);

        // An ssh-keygen key imports (passphrase removed in storage) with the fingerprint ssh-keygen prints.
        AdminClient.Response imported = admin.post("/api/v1/host-keys",
                "{\"privateKey\":" + AdminClient.quote(encrypted) + ",\"passphrase\":\"correct horse\",\"label\":\"from vault\"}");
        assertThat(imported.status()).as(imported.body()).isEqualTo(201);
        assertThat(imported.json().get("fingerprint").asString()).isEqualTo(fingerprintOf(read(dir.resolve("encrypted.pub"))));
        assertThat(imported.body()).doesNotContain("PRIVATE").doesNotContain("correct horse");
        assertProblem(admin.post("/api/v1/host-keys", "{\"privateKey\":" + AdminClient.quote(encrypted) + ",\"passphrase\":\"correct horse\"}"),
                409, "already a host key");
        AdminClient.Response ecdsa = importing(keygen("ecdsa", "-t", "ecdsa", "-b", "384"));
        assertThat(ecdsa.status()).as(ecdsa.body()).isEqualTo(201);
        assertThat(ecdsa.json().get("algorithm").asString()).isEqualTo("ecdsa-sha2-nistp384");
        // Only ADMINs change host keys; AUDITORs read them.
        assertThat(admin.post("/api/v1/admins", "{\"username\":\"hk-auditor\",\"password\":\"auditor password 1\",\"role\":\"AUDITOR\"}")
                .status()).isEqualTo(201);
        AdminClient auditor = admin.as("hk-auditor", "auditor password 1");
        assertThat(auditor.get("/api/v1/host-keys").status()).isEqualTo(200);
        assertThat(auditor.post("/api/v1/host-keys", "{\"algorithm\":\"ed25519\"}").status()).isEqualTo(403);
        assertThat(admin.withoutCredentials().get("/api/v1/host-keys").status()).isEqualTo(401);

        assertThat(admin.delete("/api/v1/host-keys/" + imported.json().get("id").asLong()).status()).isEqualTo(204);
        assertThat(admin.delete("/api/v1/host-keys/" + ecdsa.json().get("id").asLong()).status()).isEqualTo(204);
    }

    private static AdminClient.Response importing(String privateKey) {
        return admin.post("/api/v1/host-keys", "{\"privateKey\":" + AdminClient.quote(privateKey) + "}");
    }

    private static void assertProblem(AdminClient.Response response, int status, String detail) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.header("Content-Type")).as(response.body()).startsWith("application/problem+json");
        if (detail != null) {
            assertThat(response.json().get("detail").asString()).contains(detail);
        }
    }

    private static JsonNode only(JsonNode keys, String algorithm) {
        List<JsonNode> found = new ArrayList<>();
        keys.forEach(k -> {
            if (k.get("algorithm").asString().equals(algorithm) && k.get("state").asString().equals("active")) {
                found.add(k);
            }
        });
        assertThat(found).as(keys.toString()).hasSize(1);
        return found.get(0);
    }

    private static JsonNode key(long id) {
        return admin.get("/api/v1/host-keys/" + id).json();
    }

    /** A known_hosts file with these public keys for the instance's SFTP port. */
    private static Path knownHosts(FerryInstance instance, String... publicKeys) {
        try {
            Path file = Files.createTempFile(dir, "known_hosts", "");
            StringBuilder lines = new StringBuilder();
            for (String key : publicKeys) {
                lines.append("[127.0.0.1]:").append(instance.sftpPort()).append(' ').append(key).append('\n');
            }
            Files.writeString(file, lines);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ExternalCommand.Result sftp(FerryInstance instance, Path knownHosts) {
        return ExternalCommand.run(dir, List.of("sftp", "-b", "-", "-P", String.valueOf(instance.sftpPort()), "-F", "/dev/null",
                "-i", userKey.toString(), "-o", "UserKnownHostsFile=" + knownHosts, "-o", "GlobalKnownHostsFile=/dev/null",
                "-o", "StrictHostKeyChecking=yes", "-o", "UpdateHostKeys=yes", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
                "-o", "ConnectTimeout=20", "rotator@127.0.0.1"), "pwd\nls\n");
    }

    private static boolean connects(FerryInstance instance, Path knownHosts) {
        return sftp(instance, knownHosts).exitCode() == 0;
    }

    private static void assertConnects(FerryInstance instance, Path knownHosts) {
        ExternalCommand.Result result = sftp(instance, knownHosts);
        assertThat(result.exitCode()).as(result.output()).isZero();
    }

    private static void assertRefused(FerryInstance instance, Path knownHosts) {
        ExternalCommand.Result result = sftp(instance, knownHosts);
        assertThat(result.exitCode()).as(result.output()).isNotZero();
        assertThat(result.output()).contains("Host key verification failed");
    }

    private static void await(String what, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(REPLICA_FOLLOWS);
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as(what + " within " + REPLICA_FOLLOWS).isBefore(deadline);
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** The public key line without its comment. */
    private static String blobLine(String publicKeyLine) {
        String[] parts = publicKeyLine.strip().split("\\s+");
        return parts[0] + " " + parts[1];
    }

    /** The base64 key blob of a public key line: what known_hosts holds whatever the comment. */
    private static String blob(String publicKeyLine) {
        return publicKeyLine.strip().split("\\s+")[1];
    }

    private static String fingerprintOf(String publicKeyLine) {
        ExternalCommand.Result listed = ExternalCommand.run(dir, List.of("ssh-keygen", "-lf", "-"), publicKeyLine + "\n");
        assertThat(listed.exitCode()).as(listed.output()).isZero();
        return listed.output().split("\\s+")[1];
    }

    /** A private key made by ssh-keygen, as its file's text. */
    private static String keygen(String name, String... options) {
        List<String> command = new ArrayList<>(List.of("ssh-keygen", "-q", "-C", name, "-f", name));
        command.addAll(List.of(options));
        if (!command.contains("-N")) {
            command.addAll(List.of("-N", ""));
        }
        ExternalCommand.Result made = ExternalCommand.run(dir, command, "");
        assertThat(made.exitCode()).as(made.output()).isZero();
        return read(dir.resolve(name));
    }

    private static String openSshFile(KeyPair pair) {
        try (var out = new java.io.ByteArrayOutputStream()) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, "dsa", null, out);
            return out.toString(java.nio.charset.StandardCharsets.US_ASCII);
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
