package dev.ferry.quotas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.OpenSshClient;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.Users;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.OpenMode;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHStatExtensionInfo;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHStatPathExtension;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Quotas are enforced during the transfer and hold across instances sharing one database. */
class QuotaIT {

    static final int KIB = 1024;
    static final int MIB = 1024 * 1024;

    static FerryInstance ferry;
    static FerryInstance replica;
    static KeyPair key = TestKeys.ed25519();
    static Path work;

    @BeforeAll
    static void start() throws Exception {
        ferry = FerryInstance.start();
        replica = ferry.replica();
        work = Files.createTempDirectory("ferry-quota");
    }

    @AfterAll
    static void stop() {
        replica.close();
        ferry.close();
    }

    static byte[] random(int size) {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        return data;
    }

    static void awaitUsage(String username, long bytes, long files) throws InterruptedException {
        Users.awaitUsage(ferry.admin(), username, bytes, files, Duration.ofSeconds(3));
    }

    @Test
    void theWriteThatExceedsTheQuotaFailsAndClosingDiscardsThePartialFile() throws Exception {
        Users.create(ferry.admin(), "q1", key, "\"quota\":{\"maxBytes\":" + MIB + "}");
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "q1", key)) {
            SftpClient sftp = client.sftp();
            SftpClient.CloseableHandle handle = sftp.open("/big.bin", OpenMode.Write, OpenMode.Create, OpenMode.Truncate);
            byte[] chunk = random(256 * KIB);
            for (int i = 0; i < 4; i++) {
                sftp.write(handle, (long) i * chunk.length, chunk);
            }
            assertThatThrownBy(() -> sftp.write(handle, 4L * chunk.length, new byte[1]))
                    .isInstanceOfSatisfying(SftpException.class, e -> {
                        assertThat(e.getStatus()).isEqualTo(SftpConstants.SSH_FX_FAILURE);
                        assertThat(e.getMessage()).startsWith("quota exceeded");
                    });
            assertThatThrownBy(handle::close).isInstanceOf(SftpException.class);
            assertThat(sftp.readDir("/")).noneMatch(e -> e.getFilename().equals("big.bin"));
        }
        assertThat(ferry.homeOf("q1").resolve("big.bin")).doesNotExist();
        awaitUsage("q1", 0, 0);

        // Exactly the quota fits.
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "q1", key)) {
            try (SftpClient.CloseableHandle handle = client.sftp().open("/exact.bin", OpenMode.Write, OpenMode.Create)) {
                client.sftp().write(handle, 0, random(MIB));
            }
        }
        awaitUsage("q1", MIB, 1);
    }

    @Test
    void openSshPutOverTheQuotaFailsAndLeavesNothing() throws Exception {
        Users.create(ferry.admin(), "q2", key, "\"quota\":{\"maxBytes\":" + (2 * MIB) + "}");
        Files.write(work.resolve("three-mib.bin"), random(3 * MIB));
        var cli = new OpenSshClient(ferry.sftpPort(), "q2", TestKeys.writePrivateKey(key, work));
        var put = cli.sftpBatch(work, "put three-mib.bin");
        assertThat(put.exitCode()).isNotZero();
        assertThat(ferry.homeOf("q2").resolve("three-mib.bin")).doesNotExist();
        awaitUsage("q2", 0, 0);
        var df = cli.sftpBatch(work, "df");
        assertThat(df.exitCode()).as(df.output()).isZero();
        assertThat(df.output()).contains("2048"); // 2 MiB shown in KiB blocks
    }

    @Test
    void overwritesCountTheDifferenceAndDeletesFreeSpace() throws Exception {
        Users.create(ferry.admin(), "q3", key, "\"quota\":{\"maxBytes\":" + MIB + ",\"maxFiles\":10}");
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "q3", key)) {
            SftpClient sftp = client.sftp();
            try (SftpClient.CloseableHandle h = sftp.open("/a.bin", OpenMode.Write, OpenMode.Create, OpenMode.Truncate)) {
                sftp.write(h, 0, random(400 * KIB));
            }
            awaitUsage("q3", 400 * KIB, 1);
            // Replacing 400 KiB with 900 KiB needs only 500 KiB more: it fits a 1 MiB quota.
            try (SftpClient.CloseableHandle h = sftp.open("/a.bin", OpenMode.Write, OpenMode.Create, OpenMode.Truncate)) {
                sftp.write(h, 0, random(900 * KIB));
            }
            awaitUsage("q3", 900 * KIB, 1);
            try (SftpClient.CloseableHandle h = sftp.open("/a.bin", OpenMode.Write, OpenMode.Truncate)) {
                sftp.write(h, 0, random(100 * KIB));
            }
            awaitUsage("q3", 100 * KIB, 1);
            sftp.remove("/a.bin");
            awaitUsage("q3", 0, 0);

            OpenSSHStatExtensionInfo df = sftp.getExtension(OpenSSHStatPathExtension.class).stat("/");
            assertThat(df.f_blocks * df.f_frsize).isEqualTo(MIB);
            assertThat(df.f_files).isEqualTo(10);
        }
    }

    @Test
    void theFileCountQuotaRefusesTheExtraFile() throws Exception {
        Users.create(ferry.admin(), "q4", key, "\"quota\":{\"maxFiles\":2}");
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "q4", key)) {
            SftpClient sftp = client.sftp();
            for (String name : List.of("/1.txt", "/2.txt")) {
                try (SftpClient.CloseableHandle h = sftp.open(name, OpenMode.Write, OpenMode.Create)) {
                    sftp.write(h, 0, "x".getBytes());
                }
            }
            assertThatThrownBy(() -> sftp.open("/3.txt", OpenMode.Write, OpenMode.Create))
                    .isInstanceOfSatisfying(SftpException.class, e -> assertThat(e.getMessage()).startsWith("quota exceeded"));
            // Overwriting an existing file takes no new slot.
            try (SftpClient.CloseableHandle h = sftp.open("/1.txt", OpenMode.Write, OpenMode.Truncate)) {
                sftp.write(h, 0, "yy".getBytes());
            }
        }
        assertThat(ferry.homeOf("q4").resolve("3.txt")).doesNotExist();
        awaitUsage("q4", 3, 2);
    }

    @Test
    void concurrentUploadsOnTwoInstancesNeverCommitAByteOverTheQuota() throws Exception {
        long quota = 10L * MIB;
        int fileSize = 3 * MIB;
        Users.create(ferry.admin(), "q5", key, "\"quota\":{\"maxBytes\":" + quota + "}");
        byte[] data = random(fileSize);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int port = (i % 2 == 0 ? ferry : replica).sftpPort();
            String name = "/part-" + i + ".bin";
            Callable<Boolean> upload = () -> {
                try (SftpTestClient client = SftpTestClient.withKey(port, "q5", key)) {
                    SftpClient.CloseableHandle h = client.sftp().open(name, OpenMode.Write, OpenMode.Create, OpenMode.Truncate);
                    try {
                        for (int off = 0; off < fileSize; off += 64 * KIB) {
                            client.sftp().write(h, off, data, off, 64 * KIB);
                        }
                        h.close();
                        return true;
                    } catch (SftpException e) {
                        assertThat(e.getMessage()).startsWith("quota exceeded");
                        try {
                            h.close();
                        } catch (SftpException expected) {
                            // the refused upload is discarded on CLOSE
                        }
                        return false;
                    }
                }
            };
            results.add(pool.submit(upload));
        }
        int succeeded = 0;
        for (Future<Boolean> result : results) {
            succeeded += result.get() ? 1 : 0;
        }
        pool.shutdown();

        long stored;
        try (Stream<Path> files = Files.list(ferry.homeOf("q5"))) {
            stored = files.mapToLong(p -> p.toFile().length()).sum();
        }
        assertThat(succeeded).isBetween(1, 3);
        assertThat(stored).isEqualTo((long) succeeded * fileSize).isLessThanOrEqualTo(quota);
        awaitUsage("q5", stored, succeeded);
    }
}
