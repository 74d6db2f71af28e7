package dev.ferry.sftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.ExternalCommand;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.TestPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/**
 * OpenSSH user certificates made by ssh-keygen, presented by OpenSSH's sftp and by paramiko to one
 * running Ferry: a valid one logs in, every flawed one is refused and audited as LOGIN_FAILED with
 * its reason, and the server keeps serving.
 */
class CertificateLoginIT {

    static FerryInstance ferry;
    static AdminClient admin;
    static Path dir;
    static long caId;
    /** Replicas look for a new KRL every second here (5 s by default). */
    static final Map<String, String> KRL_REFRESH = Map.of("sftp.krl.refresh-interval", "1s");

    @BeforeAll
    static void start() {
        ferry = FerryInstance.start(TestPostgres.get().newDatabase(), FerryInstance.tempDir("ferry-files"), KRL_REFRESH);
        admin = ferry.admin();
        dir = FerryInstance.tempDir("ferry-certs");
        keygen("-t", "ed25519", "-N", "", "-C", "corp-ca", "-f", "ca");
        keygen("-t", "ed25519", "-N", "", "-C", "other-ca", "-f", "other-ca");
        var created = admin.post("/api/v1/user-cas", "{\"name\":\"corp-ca\",\"publicKey\":" + AdminClient.quote(read("ca.pub")) + "}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        caId = created.json().get("id").asLong();
    }

    @AfterAll
    static void stop() {
        ferry.close();
    }

    @Test
    void validCertificateLogsInWithOpenSshAndParamiko() {
        createUser("certok", "");
        String key = certificate("certok", "ca", "-I", "certok-laptop", "-n", "certok", "-V", "-5m:+1h",
                "-O", "source-address=127.0.0.1/32,10.0.0.0/8", "-O", "force-command=internal-sftp");
        ExternalCommand.Result sftp = sftp("certok", key);
        assertThat(sftp.exitCode()).as(sftp.output()).isZero();
        assertThat(paramiko("certok", key, "valid")).startsWith("OK");
        assertThat(awaitAudit("LOGIN", "certok", "")).isTrue();
        // The principal may be one of several, and names are case-insensitive as everywhere in Ferry.
        createUser("certmany", "");
        String many = certificate("certmany", "ca", "-I", "many", "-n", "someone,CERTMANY", "-V", "-5m:+1h");
        assertThat(sftp("certmany", many).exitCode()).isZero();
    }

    @Test
    void expiredAndNotYetValidCertificatesAreRefused() {
        createUser("certold", "");
        refused("certold", certificate("certold", "ca", "-I", "old", "-n", "certold", "-V", "-2h:-1h"), "expired at");
        createUser("certnew", "");
        refused("certnew", certificate("certnew", "ca", "-I", "new", "-n", "certnew", "-V", "+1h:+2h"), "is not yet valid");
    }

    @Test
    void hostCertificateAndCertificateWithoutPrincipalsAreRefused() {
        createUser("certhost", "");
        String host = certificate("certhost", "ca", "-h", "-I", "host", "-n", "certhost", "-V", "-5m:+1h");
        assertThat(paramiko("certhost", host, "valid")).startsWith("REFUSED");
        assertThat(awaitAudit("LOGIN_FAILED", "certhost", "is a host certificate, not a user certificate")).isTrue();
        createUser("certnone", "");
        String none = certificate("certnone", "ca", "-I", "none", "-V", "-5m:+1h");
        assertThat(paramiko("certnone", none, "valid")).startsWith("REFUSED");
        assertThat(awaitAudit("LOGIN_FAILED", "certnone", "names no principals")).isTrue();
    }

    /** A user provisioned from LDAP or the auth hook is that source's to admit: no certificate logs it in. */
    @Test
    void certificateOfAUserFromAnIdentitySourceIsRefused() {
        createUser("certldap", "");
        ferry.bean(JdbcTemplate.class).update("update users set source = 'ldap' where username = 'certldap'");
        refused("certldap", certificate("certldap", "ca", "-I", "ldap-user", "-n", "certldap", "-V", "-5m:+1h"),
                "is valid, but certldap is a user from LDAP or the auth hook");
    }

    @Test
    void certificateForAnotherPrincipalIsRefused() {
        createUser("certwho", "");
        refused("certwho", certificate("certwho", "ca", "-I", "who", "-n", "someone-else", "-V", "-5m:+1h"),
                "is not valid for user certwho");
    }

    @Test
    void certificateOfAnUnknownCaIsRefusedEvenWhenTheCaKeyIsAmongTheUsersKeys() {
        createUser("certunk", "");
        refused("certunk", certificate("certunk", "other-ca", "-I", "unk", "-n", "certunk", "-V", "-5m:+1h"),
                "signed by a CA that is not trusted");
        // A CA's public key put in a user's key list is a key like any other, not a CA to trust.
        createUser("certca", ",\"publicKeys\":[" + AdminClient.quote(read("other-ca.pub")) + "]");
        refused("certca", certificate("certca", "other-ca", "-I", "ca-in-list", "-n", "certca", "-V", "-5m:+1h"),
                "signed by a CA that is not trusted");
    }

    @Test
    void revokedSerialAndKeyIdAreRefusedFromTheNextLogin() {
        createUser("certrev", "");
        String bySerial = certificate("certrev", "ca", "-I", "rev", "-n", "certrev", "-V", "-5m:+1h", "-z", "18446744073709551000");
        assertThat(sftp("certrev", bySerial).exitCode()).isZero();
        var revoked = admin.post("/api/v1/user-cas/" + caId + "/revocations", "{\"serial\":18446744073709551000}");
        assertThat(revoked.status()).as(revoked.body()).isEqualTo(201);
        assertThat(revoked.json().get("serial").asString()).isEqualTo("18446744073709551000");
        refused("certrev", bySerial, "is revoked (serial 18446744073709551000)");

        createUser("certkid", "");
        String byKeyId = certificate("certkid", "ca", "-I", "stolen-laptop", "-n", "certkid", "-V", "-5m:+1h", "-z", "7");
        assertThat(admin.post("/api/v1/user-cas/" + caId + "/revocations", "{\"keyId\":\"stolen-laptop\"}").status()).isEqualTo(201);
        refused("certkid", byKeyId, "is revoked (key id)");
        assertThat(admin.get("/api/v1/user-cas/" + caId + "/revocations").body()).contains("stolen-laptop");
    }

    @Test
    void criticalOptionsAreHonouredOrRefused() {
        createUser("certsrc", "");
        refused("certsrc", certificate("certsrc", "ca", "-I", "src", "-n", "certsrc", "-V", "-5m:+1h",
                "-O", "source-address=10.9.0.0/16"), "may not be used from 127.0.0.1");
        createUser("certcmd", "");
        refused("certcmd", certificate("certcmd", "ca", "-I", "cmd", "-n", "certcmd", "-V", "-5m:+1h",
                "-O", "force-command=/bin/sh"), "forces the command '/bin/sh'");
        createUser("certopt", "");
        refused("certopt", certificate("certopt", "ca", "-I", "opt", "-n", "certopt", "-V", "-5m:+1h",
                "-O", "critical:made-up@example.com=yes"), "has the critical option 'made-up@example.com'");
    }

    @Test
    void malformedOrForgedCertificateIsRefusedAndTheServerKeepsServing() {
        createUser("certmal", "");
        String key = certificate("certmal", "ca", "-I", "mal", "-n", "certmal", "-V", "-5m:+1h");
        assertThat(paramiko("certmal", key, "truncated")).startsWith("REFUSED");
        assertThat(awaitAudit("LOGIN_FAILED", "certmal", "malformed certificate")).isTrue();

        createUser("certsig", "");
        String forged = certificate("certsig", "ca", "-I", "sig", "-n", "certsig", "-V", "-5m:+1h");
        assertThat(paramiko("certsig", forged, "badsig")).startsWith("REFUSED");
        assertThat(awaitAudit("LOGIN_FAILED", "certsig", "does not carry a valid signature of CA corp-ca")).isTrue();

        assertThat(paramiko("certsig", forged, "valid")).startsWith("OK");
    }

    @Test
    void validCertificateForANameWithoutAccountIsRefused() {
        refused("certnobody", certificate("certnobody", "ca", "-I", "nobody", "-n", "certnobody", "-V", "-5m:+1h"),
                "there is no user certnobody");
    }

    @Test
    void removingTheCaStopsItsCertificates() {
        keygen("-t", "ed25519", "-N", "", "-C", "short-lived-ca", "-f", "gone-ca");
        var created = admin.post("/api/v1/user-cas", "{\"name\":\"gone-ca\",\"publicKey\":" + AdminClient.quote(read("gone-ca.pub")) + "}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        createUser("certgone", "");
        String key = certificate("certgone", "gone-ca", "-I", "gone", "-n", "certgone", "-V", "-5m:+1h");
        assertThat(sftp("certgone", key).exitCode()).isZero();
        assertThat(admin.delete("/api/v1/user-cas/" + created.json().get("id").asLong()).status()).isEqualTo(204);
        refused("certgone", key, "signed by a CA that is not trusted");
        assertThat(admin.get("/api/v1/audit?type=ADMIN&size=500").body()).contains("trusted user CA gone-ca", "removed user CA gone-ca");
    }

    @Test
    void apiRefusesBadCaKeysWithAReasonAndLetsOnlyAdminsWrite() {
        var malformed = admin.post("/api/v1/user-cas", "{\"name\":\"bad\",\"publicKey\":\"ssh-ed25519 AAAA-not-base64\"}");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.body()).contains("not valid base64");
        var certificate = admin.post("/api/v1/user-cas", "{\"name\":\"bad\",\"publicKey\":"
                + AdminClient.quote(read(certificate("apicert", "ca", "-I", "x", "-n", "x", "-V", "-5m:+1h") + "-cert.pub")) + "}");
        assertThat(certificate.status()).isEqualTo(400);
        assertThat(certificate.body()).contains("this is a certificate, not a CA key");
        var noName = admin.post("/api/v1/user-cas", "{\"publicKey\":" + AdminClient.quote(read("other-ca.pub")) + "}");
        assertThat(noName.status()).isEqualTo(400);
        assertThat(noName.body()).contains("name is required");
        var duplicate = admin.post("/api/v1/user-cas", "{\"name\":\"again\",\"publicKey\":" + AdminClient.quote(read("ca.pub")) + "}");
        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.body()).contains("already trusted");
        var neither = admin.post("/api/v1/user-cas/" + caId + "/revocations", "{}");
        assertThat(neither.status()).isEqualTo(400);
        assertThat(neither.body()).contains("give exactly one of");
        assertThat(admin.post("/api/v1/user-cas/" + caId + "/revocations", "{\"serial\":-1}").status()).isEqualTo(400);
        assertThat(admin.post("/api/v1/user-cas/999999/revocations", "{\"serial\":1}").status()).isEqualTo(404);

        var auditor = admin.post("/api/v1/admins", "{\"username\":\"ca-auditor\",\"password\":\"auditor password 1\",\"role\":\"AUDITOR\"}");
        assertThat(auditor.status()).as(auditor.body()).isEqualTo(201);
        AdminClient reader = admin.as("ca-auditor", "auditor password 1");
        assertThat(reader.get("/api/v1/user-cas").status()).isEqualTo(200);
        assertThat(reader.post("/api/v1/user-cas", "{\"name\":\"x\",\"publicKey\":" + AdminClient.quote(read("other-ca.pub")) + "}")
                .status()).isEqualTo(403);
        assertThat(reader.delete("/api/v1/user-cas/" + caId).status()).isEqualTo(403);
    }

    /**
     * A KRL from ssh-keygen, uploaded with curl as an operator would, refuses what it lists (certificates by serial
     * range, bitmap and key id, plain keys by content and by fingerprint) on this replica at once and on a second
     * one within its refresh, and nothing else; removing it lets them in again.
     */
    @Test
    void anUploadedKrlRefusesWhatItListsOnEveryReplicaUntilRemoved() throws IOException {
        createUser("krlrange", "");
        String range = certificate("krlrange", "ca", "-I", "krl-range", "-n", "krlrange", "-V", "-5m:+1h", "-z", "1015");
        createUser("krlbits", "");
        String bits = certificate("krlbits", "ca", "-I", "krl-bits", "-n", "krlbits", "-V", "-5m:+1h", "-z", "2006");
        createUser("krlkid", "");
        String keyId = certificate("krlkid", "ca", "-I", "krl-lost-laptop", "-n", "krlkid", "-V", "-5m:+1h", "-z", "3000");
        createUser("krlfine", "");
        String fine = certificate("krlfine", "ca", "-I", "krl-fine", "-n", "krlfine", "-V", "-5m:+1h", "-z", "2007");
        keygen("-t", "ed25519", "-N", "", "-C", "krlplain", "-f", "krlplain");
        createUser("krlplain", ",\"publicKeys\":[" + AdminClient.quote(read("krlplain.pub")) + "]");
        keygen("-t", "ed25519", "-N", "", "-C", "krlhash", "-f", "krlhash");
        createUser("krlhash", ",\"publicKeys\":[" + AdminClient.quote(read("krlhash.pub")) + "]");
        for (String user : List.of("krlrange", "krlbits", "krlkid", "krlfine")) {
            assertThat(sftp(user, dir.resolve(user).toString()).exitCode()).as(user).isZero();
        }
        assertThat(plainSftp("krlplain").exitCode()).isZero();
        assertThat(admin.get("/api/v1/revoked-keys").status()).isEqualTo(404);

        StringBuilder spec = new StringBuilder("serial: 1010-1020\nid: krl-lost-laptop\n");
        for (int serial = 2000; serial < 2100; serial += 2) {
            spec.append("serial: ").append(serial).append('\n');
        }
        Files.writeString(dir.resolve("revoked.spec"), spec);
        Files.writeString(dir.resolve("plain.spec"), "key: " + read("krlplain.pub") + "\nsha256: " + read("krlhash.pub") + "\n");
        keygen("-k", "-f", "revoked.krl", "-s", "ca.pub", "-z", "42", "revoked.spec");
        keygen("-k", "-u", "-f", "revoked.krl", "plain.spec");
        FerryInstance replica = FerryInstance.start(ferry.database(), ferry.storageRoot(), KRL_REFRESH);
        try {
            assertThat(plainSftp("krlplain", replica).exitCode()).as("the replica has loaded no KRL yet").isZero();
            ExternalCommand.Result upload = ExternalCommand.run(dir, List.of("curl", "-sS", "-u", "admin:" + FerryInstance.ADMIN_PASSWORD,
                    "-X", "PUT", "-H", "Content-Type: application/octet-stream", "--data-binary", "@revoked.krl",
                    ferry.apiBase() + "/api/v1/revoked-keys"), "");
            assertThat(upload.exitCode()).as(upload.output()).isZero();
            assertThat(upload.output()).contains("\"krlVersion\":42", "\"keyIds\":1", "\"keys\":1", "\"fingerprints\":1");

            refused("krlrange", range, "is revoked: the KRL revokes its serial 1015");
            refused("krlbits", bits, "is revoked: the KRL revokes its serial 2006");
            refused("krlkid", keyId, "is revoked: the KRL revokes its key id");
            assertThat(sftp("krlfine", fine).exitCode()).as("serial 2007 is not in the bitmap").isZero();
            assertThat(plainSftp("krlplain").exitCode()).isNotZero();
            assertThat(awaitAudit("LOGIN_FAILED", "krlplain", "is revoked: the key is listed in the KRL")).isTrue();
            assertThat(plainSftp("krlhash").exitCode()).isNotZero();
            assertThat(awaitAudit("LOGIN_FAILED", "krlhash", "is revoked: the key's fingerprint is listed in the KRL")).isTrue();
            assertThat(awaitRefusedOn(replica, "krlplain")).as("the replica follows the upload").isTrue();

            var summary = admin.get("/api/v1/revoked-keys");
            assertThat(summary.status()).isEqualTo(200);
            assertThat(summary.json().get("krlVersion").asLong()).isEqualTo(42);
            assertThat(summary.json().get("sha256").asString()).hasSize(64);
            assertThat(admin.get("/api/v1/audit?type=ADMIN&size=500").body()).contains("uploaded KRL version 42");

            assertThat(admin.delete("/api/v1/revoked-keys").status()).isEqualTo(204);
            assertThat(sftp("krlrange", range).exitCode()).isZero();
            assertThat(plainSftp("krlplain").exitCode()).isZero();
            assertThat(admin.get("/api/v1/revoked-keys").status()).isEqualTo(404);
            assertThat(admin.get("/api/v1/audit?type=ADMIN&size=500").body()).contains("removed KRL version 42");
        } finally {
            admin.delete("/api/v1/revoked-keys");
            replica.close();
        }
    }

    @Test
    void aBadKrlIsRefusedWithAReasonAndTheOneInForceStays() throws IOException {
        Files.writeString(dir.resolve("kept.spec"), "id: kept-revoked\n");
        keygen("-k", "-f", "kept.krl", "-s", "ca.pub", "-z", "7", "kept.spec");
        byte[] kept = Files.readAllBytes(dir.resolve("kept.krl"));
        try {
            assertThat(admin.sendBytes("PUT", "/api/v1/revoked-keys", kept, "application/octet-stream").status()).isEqualTo(200);
            var truncated = admin.sendBytes("PUT", "/api/v1/revoked-keys", java.util.Arrays.copyOf(kept, kept.length - 3),
                    "application/octet-stream");
            assertThat(truncated.status()).isEqualTo(400);
            assertThat(truncated.body()).contains("truncated or malformed");
            var publicKey = admin.sendBytes("PUT", "/api/v1/revoked-keys", read("ca.pub").getBytes(), "application/octet-stream");
            assertThat(publicKey.status()).isEqualTo(400);
            assertThat(publicKey.body()).contains("not an OpenSSH KRL");
            var empty = admin.sendBytes("PUT", "/api/v1/revoked-keys", new byte[0], "application/octet-stream");
            assertThat(empty.status()).isEqualTo(400);
            assertThat(empty.body()).contains("the body is empty");
            assertThat(admin.put("/api/v1/revoked-keys", "{\"krl\":\"x\"}").status()).isEqualTo(415);

            var auditor = admin.post("/api/v1/admins", "{\"username\":\"krl-auditor\",\"password\":\"auditor password 1\",\"role\":\"AUDITOR\"}");
            assertThat(auditor.status()).as(auditor.body()).isEqualTo(201);
            AdminClient reader = admin.as("krl-auditor", "auditor password 1");
            assertThat(reader.get("/api/v1/revoked-keys").status()).isEqualTo(200);
            assertThat(reader.sendBytes("PUT", "/api/v1/revoked-keys", kept, "application/octet-stream").status()).isEqualTo(403);
            assertThat(reader.delete("/api/v1/revoked-keys").status()).isEqualTo(403);

            assertThat(admin.get("/api/v1/revoked-keys").json().get("krlVersion").asLong()).as("the KRL in force").isEqualTo(7);
        } finally {
            admin.delete("/api/v1/revoked-keys");
        }
    }

    /** Twenty certificate logins at once from one address while a KRL revokes half of them: each gets its own verdict. */
    @Test
    void twentyCertificateLoginsAtOnceWhileAKrlRevokesHalf() throws Exception {
        List<String> keys = new ArrayList<>();
        StringBuilder spec = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            createUser("mix" + i, "");
            keys.add(certificate("mix" + i, "ca", "-I", "mix" + i, "-n", "mix" + i, "-V", "-5m:+1h", "-z", String.valueOf(5000 + i)));
            if (i % 2 == 1) {
                spec.append("serial: ").append(5000 + i).append('\n');
            }
        }
        Files.writeString(dir.resolve("mix.spec"), spec);
        keygen("-k", "-f", "mix.krl", "-s", "ca.pub", "mix.spec");
        assertThat(admin.sendBytes("PUT", "/api/v1/revoked-keys", Files.readAllBytes(dir.resolve("mix.krl")),
                "application/octet-stream").status()).isEqualTo(200);
        ExecutorService clients = Executors.newFixedThreadPool(20);
        try {
            List<Future<ExternalCommand.Result>> logins = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int n = i;
                logins.add(clients.submit(() -> sftp("mix" + n, keys.get(n))));
            }
            for (int i = 0; i < 20; i++) {
                ExternalCommand.Result result = logins.get(i).get();
                if (i % 2 == 0) {
                    assertThat(result.exitCode()).as("mix%d: %s", i, result.output()).isZero();
                } else {
                    assertThat(result.exitCode()).as("mix%d is revoked", i).isNotZero();
                    assertThat(awaitAudit("LOGIN_FAILED", "mix" + i, "the KRL revokes its serial " + (5000 + i))).isTrue();
                }
            }
        } finally {
            clients.shutdown();
            admin.delete("/api/v1/revoked-keys");
        }
    }

    // ---- helpers ------------------------------------------------------------------------

    /** The certificate login is refused by OpenSSH's sftp, and audited as LOGIN_FAILED with the reason. */
    private static void refused(String username, String key, String reason) {
        ExternalCommand.Result result = sftp(username, key);
        assertThat(result.exitCode()).as(result.output()).isNotZero();
        assertThat(awaitAudit("LOGIN_FAILED", username, reason)).as("LOGIN_FAILED of %s with '%s'", username, reason).isTrue();
    }

    private static void createUser(String username, String extraJson) {
        var response = admin.post("/api/v1/users", "{\"username\":\"" + username + "\"" + extraJson + "}");
        assertThat(response.status()).as(response.body()).isEqualTo(201);
    }

    /** A new ed25519 key {@code name} and its certificate {@code name-cert.pub} signed by {@code ca}; returns the key's path. */
    private static String certificate(String name, String ca, String... options) {
        keygen("-t", "ed25519", "-N", "", "-C", name, "-f", name);
        List<String> sign = new ArrayList<>(List.of("-s", ca));
        sign.addAll(List.of(options));
        sign.add(name + ".pub");
        keygen(sign.toArray(String[]::new));
        return dir.resolve(name).toString();
    }

    private static void keygen(String... args) {
        List<String> command = new ArrayList<>(List.of("ssh-keygen", "-q"));
        command.addAll(List.of(args));
        ExternalCommand.Result result = ExternalCommand.run(dir, command, "");
        assertThat(result.exitCode()).as(String.join(" ", command) + "\n" + result.output()).isZero();
    }

    private static ExternalCommand.Result sftp(String username, String key) {
        return ExternalCommand.run(dir, List.of("sftp", "-b", "-", "-P", String.valueOf(ferry.sftpPort()), "-F", "/dev/null",
                "-i", key, "-o", "CertificateFile=" + key + "-cert.pub", "-o", "IdentitiesOnly=yes",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
                "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=20", username + "@127.0.0.1"), "pwd\n");
    }

    /** OpenSSH's sftp with the plain key {@code username} (no certificate) against this replica. */
    private static ExternalCommand.Result plainSftp(String username, FerryInstance on) {
        return ExternalCommand.run(dir, List.of("sftp", "-b", "-", "-P", String.valueOf(on.sftpPort()), "-F", "/dev/null",
                "-i", dir.resolve(username).toString(), "-o", "IdentitiesOnly=yes",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
                "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=20", username + "@127.0.0.1"), "pwd\n");
    }

    private static ExternalCommand.Result plainSftp(String username) {
        return plainSftp(username, ferry);
    }

    /** Whether plain-key logins of this user become refused on this replica within a generous wait. */
    private static boolean awaitRefusedOn(FerryInstance replica, String username) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            if (plainSftp(username, replica).exitCode() != 0) {
                return true;
            }
            sleep(500);
        }
        return false;
    }

    private static String paramiko(String username, String key, String mode) {
        ExternalCommand.Result result = ExternalCommand.run(dir, List.of("/usr/bin/python3",
                Path.of("src/test/resources/clients/paramiko_cert.py").toAbsolutePath().toString(),
                String.valueOf(ferry.sftpPort()), username, key, key + "-cert.pub", mode), "");
        assertThat(result.exitCode()).as(result.output()).isZero();
        return result.output().strip();
    }

    static String read(String file) {
        try {
            return Files.readString(dir.resolve(file)).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether an audit record of this type and user with this text in its detail appears within a generous wait. */
    static boolean awaitAudit(String type, String username, String detail) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(deadline)) {
            if (auditContains(type, username, detail)) {
                return true;
            }
            sleep(100);
        }
        return false;
    }

    private static boolean auditContains(String type, String username, String detail) {
        JsonNode content = admin.get("/api/v1/audit?type=" + type + "&username=" + username + "&size=500").json().get("content");
        for (JsonNode record : content) {
            if (record.path("detail").asString("").contains(detail)) {
                return true;
            }
        }
        return false;
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
