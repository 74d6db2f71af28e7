package dev.ferry.sftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testsupport.ExternalCommand;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.SftpTestClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.kex.KexProposalOption;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the server offers in its KEXINIT, read by a real client over a socket. */
class AlgorithmPolicyIT {

    static FerryInstance ferry;

    @BeforeAll
    static void start() {
        ferry = FerryInstance.start();
    }

    @AfterAll
    static void stop() {
        ferry.close();
    }

    @Test
    void offersNoSha1NoCbcOnlyEtmMacsAndStrictKex() throws Exception {
        try (ClientSession session = SftpTestClient.session(ferry.sftpPort(), "nobody")) {
            waitForKex(session);
            Map<KexProposalOption, String> offered = session.getServerKexProposals();
            List<String> kex = List.of(offered.get(KexProposalOption.ALGORITHMS).split(","));
            List<String> hostKeys = List.of(offered.get(KexProposalOption.SERVERKEYS).split(","));
            List<String> ciphers = List.of(offered.get(KexProposalOption.S2CENC).split(","));
            List<String> macs = List.of(offered.get(KexProposalOption.S2CMAC).split(","));
            List<String> compression = List.of(offered.get(KexProposalOption.S2CCOMP).split(","));

            assertThat(kex.get(0)).isEqualTo("mlkem768x25519-sha256");
            assertThat(kex).contains("sntrup761x25519-sha512@openssh.com", "curve25519-sha256", "kex-strict-s-v00@openssh.com")
                    .noneMatch(k -> k.contains("sha1") || k.equals("diffie-hellman-group14-sha256") || k.contains("nistp")
                            || k.startsWith("diffie-hellman-group-exchange"));
            assertThat(hostKeys).containsExactlyInAnyOrder("ssh-ed25519", "rsa-sha2-512", "rsa-sha2-256");
            assertThat(ciphers).contains("aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com", "aes128-ctr")
                    .noneMatch(c -> c.contains("cbc") || c.contains("3des") || c.contains("arcfour"));
            assertThat(macs).isNotEmpty().allMatch(m -> m.endsWith("-etm@openssh.com")).noneMatch(m -> m.contains("sha1"));
            assertThat(compression).containsExactly("none");
        }
    }

    @Test
    void refusesShellExecAndForwardingEvenWhenAuthenticated() throws Exception {
        var key = dev.ferry.testsupport.TestKeys.ed25519();
        var created = ferry.admin().post("/api/v1/users", "{\"username\":\"shelly\",\"publicKeys\":["
                + dev.ferry.testsupport.AdminClient.quote(dev.ferry.testsupport.TestKeys.publicLine(key)) + "]}");
        assertThat(created.status()).isEqualTo(201);
        java.nio.file.Path work = java.nio.file.Files.createTempDirectory("ferry-shell");
        java.nio.file.Path keyFile = dev.ferry.testsupport.TestKeys.writePrivateKey(key, work);
        List<String> base = List.of("ssh", "-F", "/dev/null", "-i", keyFile.toString(), "-p", String.valueOf(ferry.sftpPort()),
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
                "-o", "IdentitiesOnly=yes");
        // exec
        var exec = run(concat(base, List.of("shelly@127.0.0.1", "echo", "pwned")));
        assertThat(exec.output()).doesNotContain("pwned");
        assertThat(exec.exitCode()).isNotZero();
        // shell (with a tty and without)
        var shell = run(concat(base, List.of("-tt", "shelly@127.0.0.1")));
        assertThat(shell.exitCode()).isNotZero();
        // remote port forwarding (tcpip-forward) is refused; ExitOnForwardFailure turns the refusal into an exit code
        var forward = run(concat(base, List.of("-N", "-o", "ExitOnForwardFailure=yes", "-R",
                "127.0.0.1:" + dev.ferry.testsupport.FreePorts.next() + ":127.0.0.1:" + ferry.sftpPort(), "shelly@127.0.0.1")));
        assertThat(forward.exitCode()).isNotZero();
    }

    /**
     * Every cipher offered carries a transfer both ways with OpenSSH's client, byte for byte; 5 MB
     * is some hundred packets each way, so sequence numbers and (for chacha20-poly1305, the JDK-backed
     * {@link JceChaCha20Poly1305}) the per-packet keys are exercised beyond the first.
     */
    @ParameterizedTest
    @ValueSource(strings = {"chacha20-poly1305@openssh.com", "aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "aes128-ctr",
            "aes256-ctr"})
    void eachOfferedCipherCarriesATransferWithOpenSsh(String cipher) throws Exception {
        var key = dev.ferry.testsupport.TestKeys.ed25519();
        String user = "cipher-" + cipher.replaceAll("[^a-z0-9]", "");
        dev.ferry.testsupport.Users.create(ferry.admin(), user, key, null);
        java.nio.file.Path work = java.nio.file.Files.createTempDirectory("ferry-cipher");
        java.nio.file.Path keyFile = dev.ferry.testsupport.TestKeys.writePrivateKey(key, work);
        byte[] data = new byte[5_000_000];
        new java.util.Random(cipher.hashCode()).nextBytes(data);
        java.nio.file.Files.write(work.resolve("up.bin"), data);
        var run = ExternalCommand.run(work, List.of("sftp", "-b", "-", "-P", String.valueOf(ferry.sftpPort()),
                "-F", "/dev/null", "-i", keyFile.toString(), "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "Ciphers=" + cipher, "-v", user + "@127.0.0.1"),
                "put up.bin\nget up.bin down.bin\n");
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("server->client cipher: " + cipher).contains("client->server cipher: " + cipher);
        assertThat(ferry.homeOf(user).resolve("up.bin")).hasBinaryContent(data);
        assertThat(work.resolve("down.bin")).hasBinaryContent(data);
    }

    static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    static ExternalCommand.Result run(List<String> cmd) throws Exception {
        return ExternalCommand.run(java.nio.file.Path.of("."), cmd, "");
    }

    private static void waitForKex(ClientSession session) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (session.getServerKexProposals() == null || session.getServerKexProposals().isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no KEXINIT from the server");
            }
            Thread.sleep(20);
        }
    }
}
