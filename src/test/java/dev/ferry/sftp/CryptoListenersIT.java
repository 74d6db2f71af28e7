package dev.ferry.sftp;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ferry.testsupport.ExternalCommand;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.FreePorts;
import dev.ferry.testsupport.PrometheusScrape;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.TestPostgres;
import dev.ferry.testsupport.Users;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.kex.KexProposalOption;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Old clients and the default {@code modern} policy: Debian 12's curl (libssh2 1.10, neither
 * encrypt-then-MAC nor AES-GCM) cannot agree on algorithms with it. The operator is told once per
 * client address and version what the client offered and which policy would admit it (and counts
 * every failure in a metric), and a second port with the {@code compatible} policy lets curl in
 * while the main port still offers only what {@code modern} does.
 */
class CryptoListenersIT {

    /** The logger's name, as operators filter it. */
    static final String NEGOTIATION_LOGGER = "dev.ferry.sftp.crypto.NegotiationFailures";

    static FerryInstance ferry;
    static int compatiblePort = FreePorts.next();
    static KeyPair key = TestKeys.ed25519();
    static Path work;
    static Path keyFile;
    static ListAppender<ILoggingEvent> negotiationLog = new ListAppender<>();

    @BeforeAll
    static void start() {
        ferry = FerryInstance.start(TestPostgres.get().newDatabase(), FerryInstance.tempDir("ferry-listeners"),
                Map.of("sftp.listeners[0].port", String.valueOf(compatiblePort), "sftp.listeners[0].crypto-policy", "compatible"));
        // After the start: Spring Boot sets logging up afresh when a context starts.
        negotiationLog.start();
        ((Logger) LoggerFactory.getLogger(NEGOTIATION_LOGGER)).addAppender(negotiationLog);
        Users.create(ferry.admin(), "legacy", key, null);
        work = FerryInstance.tempDir("ferry-curl");
        keyFile = TestKeys.writePrivateKey(key, work);
    }

    @AfterAll
    static void stop() {
        ((Logger) LoggerFactory.getLogger(NEGOTIATION_LOGGER)).detachAppender(negotiationLog);
        ferry.close();
    }

    @Test
    void curlFailsOnTheModernPortAndTheOperatorIsToldOnceWhichPolicyAndPortWouldAdmitIt() {
        double before = failures("compatible");
        for (int i = 0; i < 3; i++) {
            ExternalCommand.Result run = curl("sftp://127.0.0.1:" + ferry.sftpPort() + "/");
            assertThat(run.exitCode()).as(run.output()).isNotZero();
            assertThat(run.output()).contains("Unable to exchange encryption keys");
        }
        // Every failure is counted; one line says what happened, however often it happens.
        assertThat(failures("compatible") - before).isEqualTo(3);
        List<String> warnings = new ArrayList<>();
        for (ILoggingEvent event : List.copyOf(negotiationLog.list)) {
            if (event.getLevel() == Level.WARN && event.getFormattedMessage().contains("libssh2")) {
                warnings.add(event.getFormattedMessage());
            }
        }
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0)).contains("SSH-2.0-libssh2_1.10.0", "from 127.0.0.1", "on port " + ferry.sftpPort(),
                "(crypto policy modern)", "no common mac algorithms", "would admit it: compatible",
                "serves compatible on its port " + compatiblePort, "hmac-sha2-256,hmac-sha2-512", "aes128-ctr");
    }

    @Test
    void curlUploadsAndDownloadsOnTheCompatiblePort() throws Exception {
        byte[] data = new byte[300_000];
        new java.util.Random(12).nextBytes(data);
        Files.write(work.resolve("up.bin"), data);
        String base = "sftp://127.0.0.1:" + compatiblePort;
        ExternalCommand.Result up = curl("-T", "up.bin", base + "/up.bin");
        assertThat(up.exitCode()).as(up.output()).isZero();
        ExternalCommand.Result down = curl("-o", "down.bin", base + "/up.bin");
        assertThat(down.exitCode()).as(down.output()).isZero();
        assertThat(work.resolve("down.bin")).hasBinaryContent(data);
        assertThat(ferry.homeOf("legacy").resolve("up.bin")).hasBinaryContent(data);
    }

    @Test
    void theMainPortStillOffersOnlyModernAlgorithmsAndTheSecondPortTheCompatibleOnes() throws Exception {
        Map<KexProposalOption, String> main = offered(ferry.sftpPort());
        assertThat(List.of(main.get(KexProposalOption.S2CMAC).split(","))).allMatch(m -> m.endsWith("-etm@openssh.com"));
        assertThat(main.get(KexProposalOption.ALGORITHMS)).doesNotContain("nistp").doesNotContain("group14");

        Map<KexProposalOption, String> compatible = offered(compatiblePort);
        assertThat(List.of(compatible.get(KexProposalOption.S2CMAC).split(","))).contains("hmac-sha2-256", "hmac-sha2-256-etm@openssh.com");
        assertThat(compatible.get(KexProposalOption.ALGORITHMS)).contains("ecdh-sha2-nistp256", "diffie-hellman-group14-sha256");
        assertThat(compatible.get(KexProposalOption.SERVERKEYS)).isEqualTo(main.get(KexProposalOption.SERVERKEYS));

        // ssh-audit's verdict on the main port is the one SshAuditIT expects of modern alone.
        SshAuditIT.assertModernVerdict(SshAuditIT.audit(ferry.sftpPort()));
    }

    @Test
    void bothPortsShareAccountsAndSessions() throws Exception {
        try (SftpTestClient modern = SftpTestClient.withKey(ferry.sftpPort(), "legacy", key);
                SftpTestClient compatible = SftpTestClient.withKey(compatiblePort, "legacy", key)) {
            compatible.put("/shared.txt", "one home".getBytes());
            assertThat(modern.sftp().stat("/shared.txt").getSize()).isEqualTo(8);
            int legacySessions = 0;
            for (var session : ferry.admin().get("/api/v1/sessions").json()) {
                legacySessions += session.get("username").asText().equals("legacy") ? 1 : 0;
            }
            assertThat(legacySessions).as("one registry for both ports").isEqualTo(2);
        }
    }

    private static double failures(String policy) {
        return PrometheusScrape.of(ferry.admin()).value("ferry_sftp_negotiation_failures_total", "admitting_policy=\"" + policy + "\"");
    }

    private static Map<KexProposalOption, String> offered(int port) throws Exception {
        try (ClientSession session = SftpTestClient.session(port, "nobody")) {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (session.getServerKexProposals() == null || session.getServerKexProposals().isEmpty()) {
                assertThat(System.nanoTime()).as("KEXINIT from port " + port).isLessThan(deadline);
                Thread.sleep(20);
            }
            return Map.copyOf(session.getServerKexProposals());
        }
    }

    /** Debian 12's curl (libssh2 1.10) as the user with the key, not checking the host key. */
    private static ExternalCommand.Result curl(String... args) {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--fail", "--insecure", "--user", "legacy:", "--key",
                keyFile.toString(), "--pubkey", keyFile + ".pub"));
        command.addAll(List.of(args));
        return ExternalCommand.run(work, command, "");
    }
}
