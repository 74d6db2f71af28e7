package dev.ferry.sftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.Users;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import org.apache.sshd.client.channel.ChannelSubsystem;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Thousands of malformed SFTP packets, generated from a printed seed (replay a failure with
 * {@code -Dferry.fuzz.seed=N}): each round may close its own session, never the server, and a
 * normal client uploads and downloads correctly after every round.
 */
class HostileInputIT {

    static final int ROUNDS = 25;
    static final int PACKETS_PER_ROUND = 120;

    static FerryInstance ferry;
    static KeyPair key = TestKeys.ed25519();

    @BeforeAll
    static void start() {
        ferry = FerryInstance.start();
        Users.create(ferry.admin(), "fuzz", key, null);
        Users.create(ferry.admin(), "normal", key, null);
    }

    @AfterAll
    static void stop() {
        ferry.close();
    }

    @Test
    void malformedPacketsCloseOnlyTheirOwnSession() throws Exception {
        long seed = Long.getLong("ferry.fuzz.seed", System.nanoTime());
        System.out.println("[HostileInputIT] fuzz seed " + seed + " (replay with -Dferry.fuzz.seed=" + seed + ")");
        Random random = new Random(seed);
        for (int round = 0; round < ROUNDS; round++) {
            fuzzRound(random);
            assertNormalClientWorks("round " + round + " of seed " + seed);
        }
        assertThat(ferry.storageRoot().resolve("outside")).doesNotExist();
    }

    @Test
    void thousandsOfHandlesAreCappedPerSession() throws Exception {
        Files.createDirectories(ferry.homeOf("fuzz").resolve("d"));
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "fuzz", key)) {
            int opened = 0;
            try {
                for (; opened < 5000; opened++) {
                    client.sftp().openDir("/d");
                }
            } catch (java.io.IOException expected) {
                // the cap answers with an error status
            }
            assertThat(opened).isLessThan(5000).isGreaterThan(0);
        }
        assertNormalClientWorks("after the handle flood");
    }

    @Test
    void setuidAndSetgidBitsAreNeverSet() throws Exception {
        Path file = ferry.homeOf("fuzz").resolve("mode.sh");
        Files.writeString(file, "#!/bin/sh\n");
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "fuzz", key)) {
            SftpClient.Attributes attrs = new SftpClient.Attributes();
            attrs.setPermissions(06755);
            try {
                client.sftp().setStat("/mode.sh", attrs);
            } catch (java.io.IOException refused) {
                // refusing is as good as ignoring the bits
            }
        }
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
        var unixMode = (Integer) Files.getAttribute(file, "unix:mode");
        assertThat(unixMode & 06000).as("setuid/setgid bits of mode " + Integer.toOctalString(unixMode)).isZero();
        assertThat(mode).isNotNull();
    }

    private static void fuzzRound(Random random) throws Exception {
        try (ClientSession session = SftpTestClient.session(ferry.sftpPort(), "fuzz")) {
            session.addPublicKeyIdentity(key);
            session.auth().verify(Duration.ofSeconds(20));
            ChannelSubsystem channel = session.createSubsystemChannel("sftp");
            channel.open().verify(Duration.ofSeconds(20));
            OutputStream out = channel.getInvertedIn();
            InputStream in = channel.getInvertedOut();
            Thread drain = new Thread(() -> {
                byte[] sink = new byte[8192];
                try {
                    while (in.read(sink) >= 0) {
                        // replies are not checked: only that the server survives and stays correct for others
                    }
                } catch (java.io.IOException ignored) {
                    // the server closed this channel: allowed
                }
            });
            drain.setDaemon(true);
            drain.start();
            try {
                out.write(packet(1, ByteBuffer.allocate(4).putInt(3).array())); // SSH_FXP_INIT v3
                for (int i = 0; i < PACKETS_PER_ROUND && channel.isOpen(); i++) {
                    out.write(malformed(random));
                    out.flush();
                }
            } catch (java.io.IOException closedByServer) {
                // a malformed packet may end the channel or the session: that is the expected defence
            }
            channel.waitFor(java.util.EnumSet.of(ClientChannelEvent.CLOSED), Duration.ofMillis(200));
        }
    }

    private static byte[] malformed(Random random) {
        int kind = random.nextInt(8);
        int[] types = {3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 200, 0, 255, random.nextInt(256)};
        int type = types[random.nextInt(types.length)];
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(intBytes(random.nextInt()), 0, 4); // request id
        switch (kind) {
            case 0 -> { // garbage payload
                byte[] junk = new byte[random.nextInt(300)];
                random.nextBytes(junk);
                body.writeBytes(junk);
            }
            case 1 -> body.writeBytes(string(randomName(random))); // a path with NUL or invalid UTF-8
            case 2 -> body.writeBytes(string(("/" + "a".repeat(65_536)).getBytes(StandardCharsets.UTF_8))); // 64 KiB path
            case 3 -> { // a handle never issued, absurd offset and length
                body.writeBytes(string(new byte[] {9, 9, 9, 9}));
                body.writeBytes(ByteBuffer.allocate(12).putLong(Long.MAX_VALUE - random.nextInt(10)).putInt(Integer.MAX_VALUE).array());
            }
            case 4 -> body.writeBytes(intBytes(-1)); // a string length of 2^32-1
            case 5 -> { // a path escaping the home, then attributes with every flag
                body.writeBytes(string("/../../../outside".getBytes(StandardCharsets.UTF_8)));
                body.writeBytes(intBytes(-1));
            }
            case 6 -> {
                // length field that lies: larger than what follows
                byte[] lie = ByteBuffer.allocate(9).putInt(1_000_000 + random.nextInt(1000)).put((byte) type).putInt(1).array();
                return lie;
            }
            default -> { // a truncated string
                body.writeBytes(intBytes(50));
                body.writeBytes("short".getBytes(StandardCharsets.UTF_8));
            }
        }
        return packet(type, body.toByteArray());
    }

    private static byte[] randomName(Random random) {
        byte[] name = new byte[1 + random.nextInt(40)];
        random.nextBytes(name);
        name[0] = '/';
        name[name.length / 2] = 0;
        return name;
    }

    private static byte[] packet(int type, byte[] body) {
        return ByteBuffer.allocate(5 + body.length).putInt(1 + body.length).put((byte) type).put(body).array();
    }

    private static byte[] string(byte[] value) {
        return ByteBuffer.allocate(4 + value.length).putInt(value.length).put(value).array();
    }

    private static byte[] intBytes(int value) {
        return ByteBuffer.allocate(4).putInt(value).array();
    }

    private static void assertNormalClientWorks(String when) throws Exception {
        byte[] data = ("still serving " + when).getBytes(StandardCharsets.UTF_8);
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "normal", key)) {
            try (SftpClient.CloseableHandle h = client.sftp().open("/check.txt", SftpClient.OpenMode.Write,
                    SftpClient.OpenMode.Create, SftpClient.OpenMode.Truncate)) {
                client.sftp().write(h, 0, data);
            }
            try (InputStream in = client.sftp().read("/check.txt")) {
                assertThat(in.readAllBytes()).as(when).isEqualTo(data);
            }
        }
    }
}
