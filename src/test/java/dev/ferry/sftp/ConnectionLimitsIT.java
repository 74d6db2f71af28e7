package dev.ferry.sftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testsupport.ExternalCommand;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.TestPostgres;
import dev.ferry.testsupport.Users;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.exception.SshChannelOpenException;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What one SSH connection may do: a bounded number of failed authentication attempts and of
 * time to authenticate, however the client restarts authentication (paramiko asks for the
 * ssh-userauth service before each attempt), and a bounded number of open channels.
 */
class ConnectionLimitsIT {

    static final Path PARAMIKO_SCRIPT = Path.of("src/test/resources/clients/paramiko_auth_attempts.py").toAbsolutePath();

    static FerryInstance ferry;
    static KeyPair key = TestKeys.ed25519();

    @BeforeAll
    static void start() {
        ferry = FerryInstance.start(TestPostgres.get().newDatabase(), FerryInstance.tempDir("ferry-connection-limits"),
                Map.of("sftp.auth-timeout", "3s"));
        Users.create(ferry.admin(), "guarded", key, "\"password\":\"the right password\"");
    }

    @AfterAll
    static void stop() {
        ferry.close();
    }

    @Test
    void theSixthWrongPasswordOnOneConnectionEndsItThoughTheClientRestartsAuthenticationEachTime() {
        JsonNode run = paramiko("guarded", "passwords", 40);
        // OpenSSH's MaxAuthTries semantics: five failures answered, the sixth answered with a disconnect.
        assertThat(run.get("answered").asInt()).as(run.toString()).isEqualTo(5);
        assertThat(run.get("ended").asText()).as(run.toString()).startsWith("disconnected");
        // The same for a user that does not exist: nothing tells them apart.
        JsonNode unknown = paramiko("no-such-user", "passwords", 40);
        assertThat(unknown.get("answered").asInt()).as(unknown.toString()).isEqualTo(5);
    }

    @Test
    void restartingAuthenticationDoesNotBuyMoreTimeThanTheAuthenticationTimeout() {
        // "none" probes are no failures, so only the clock can end this connection: 3 s, at most twice over.
        JsonNode run = paramiko("guarded", "none", 30);
        assertThat(run.get("ended").asText()).as(run.toString()).startsWith("disconnected");
        assertThat(run.get("answered").asInt()).as(run.toString()).isLessThan(15);
    }

    @Test
    void anEleventhChannelIsRefusedWhileTheTenOpenOnesGoOnAndClosingOneMakesRoom() throws Exception {
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "guarded", key)) {
            client.put("/probe.txt", "hello".getBytes());
            List<SftpClient> channels = new ArrayList<>();
            channels.add(client.sftp());
            for (int i = 1; i < 10; i++) {
                channels.add(SftpClientFactory.instance().createSftpClient(client.session()));
            }
            assertThatThrownBy(() -> SftpClientFactory.instance().createSftpClient(client.session()))
                    .satisfies(e -> assertThat(refusal(e)).as("channel-open failure").isNotNull()
                            .extracting(SshChannelOpenException::getReasonCode).isEqualTo(SshConstants.SSH_OPEN_RESOURCE_SHORTAGE));
            assertThat(client.session().isOpen()).isTrue();
            for (SftpClient channel : channels) {
                assertThat(channel.stat("/probe.txt").getSize()).isEqualTo(5);
            }

            channels.remove(9).close();
            SftpClient another = openWhenRoom(client);
            assertThat(another.stat("/probe.txt").getSize()).isEqualTo(5);
            another.close();
            for (SftpClient channel : channels.subList(1, channels.size())) {
                channel.close();
            }
        }
    }

    /** A closed channel leaves the count once the close handshake is done: retries until then. */
    private static SftpClient openWhenRoom(SftpTestClient client) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            try {
                return SftpClientFactory.instance().createSftpClient(client.session());
            } catch (java.io.IOException full) {
                if (refusal(full) == null || System.nanoTime() > deadline) {
                    throw full;
                }
                Thread.sleep(100);
            }
        }
    }

    /** The channel-open failure behind an exception, or null. */
    static SshChannelOpenException refusal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SshChannelOpenException open) {
                return open;
            }
        }
        return null;
    }

    static JsonNode paramiko(String user, String mode, int count) {
        ExternalCommand.Result run = ExternalCommand.run(Path.of("."), List.of("/usr/bin/python3", PARAMIKO_SCRIPT.toString(),
                String.valueOf(ferry.sftpPort()), user, mode, String.valueOf(count)), "");
        assertThat(run.exitCode()).as(run.output()).isZero();
        String last = run.output().lines().reduce((first, second) -> second).orElseThrow();
        return JsonMapper.builder().build().readTree(last);
    }
}
