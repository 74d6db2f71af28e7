package dev.ferry.quotas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.OpenSshClient;
import dev.ferry.testsupport.Paramiko;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.TestPostgres;
import dev.ferry.testsupport.TestS3;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
        // S3 settings too, so users on either kind of home can be tested on the same instance.
        TestS3 s3 = TestS3.get();
        ferry = FerryInstance.start(TestPostgres.get().newDatabase(), FerryInstance.tempDir("ferry-files"),
                s3.ferrySettings(s3.newBucket()));
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

    /** The user's {@code "storage"} JSON for a backend of {@link #backends()}. */
    static String storage(String backend, String username) {
        return backend.equals("s3") ? "{\"type\":\"s3\",\"prefix\":\"" + username + "/\"}" : "{\"type\":\"local\"}";
    }

    static byte[] stored(String username, String path) throws Exception {
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), username, key);
                java.io.InputStream in = client.sftp().read(path)) {
            return in.readAllBytes();
        }
    }

    static void setQuota(String username, String field, long value) {
        Users.update(ferry.admin(), username, user -> ((tools.jackson.databind.node.ObjectNode) user.get("quota")).put(field, value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "s3"})
    void aFullFileCountQuotaStillLetsStoredFilesBeReplacedAppendedAndResumed(String backend) throws Exception {
        String user = "files-" + backend;
        Users.create(ferry.admin(), user, key, "\"quota\":{\"maxFiles\":3},\"storage\":" + storage(backend, user));
        Path keyFile = TestKeys.writePrivateKey(key, work);
        Path local = Files.createTempDirectory(work, user);
        Files.write(local.resolve("a.bin"), random(1000));
        Files.write(local.resolve("b.bin"), random(2000));
        Files.write(local.resolve("c.bin"), random(3000));
        var cli = new OpenSshClient(ferry.sftpPort(), user, keyFile);
        var three = cli.sftpBatch(local, "put a.bin", "put b.bin", "put c.bin");
        assertThat(three.exitCode()).as(three.output()).isZero();
        awaitUsage(user, 6000, 3);

        // Full, and then over full (the quota lowered below what is stored): replacing, appending to
        // and resuming stored files adds no file, so none of it is refused.
        Paramiko paramiko = new Paramiko(ferry.sftpPort(), user, keyFile);
        byte[] c = Files.readAllBytes(local.resolve("c.bin"));
        for (int maxFiles : new int[] {3, 2}) {
            setQuota(user, "maxFiles", maxFiles);
            // OpenSSH's put (OPEN with CREAT|TRUNC and the file's mode) and paramiko's put over stored files.
            Files.write(local.resolve("a.bin"), random(1500 + maxFiles));
            var put = cli.sftpBatch(local, "put a.bin");
            assertThat(put.exitCode()).as(put.output()).isZero();
            var putB = paramiko.one(local, "put", "b.bin", "/b.bin");
            assertThat(putB.ok()).as(putB.error()).isTrue();
            // OpenSSH's reput of a longer local copy continues the stored file.
            byte[] longer = java.util.Arrays.copyOf(c, c.length + 1000);
            System.arraycopy(random(1000), 0, longer, c.length, 1000);
            Files.write(local.resolve("c.bin"), longer);
            var reput = cli.sftpBatch(local, "reput c.bin");
            assertThat(reput.exitCode()).as(reput.output()).isZero();
            assertThat(stored(user, "/c.bin")).isEqualTo(longer);
            c = longer;
        }
        awaitUsage(user, 1502 + 2000 + c.length, 3);

        // A new name is still a fourth file: refused with the reason, nothing left under it.
        var fourth = paramiko.run(local, List.of("put", "a.bin", "/d.bin"), List.of("listdir", "/"));
        assertThat(fourth.get(0).ok()).isFalse();
        assertThat(fourth.get(0).error()).contains("quota exceeded");
        assertThat(fourth.get(1).result().toString()).isEqualTo("[\"a.bin\",\"b.bin\",\"c.bin\"]");
        awaitUsage(user, 1502 + 2000 + c.length, 3);
    }

    /** Appending (paramiko's open "a") on local homes; S3 has no append of its own but reput, tested above. */
    @Test
    void aFileCountQuotaBelowTheUsageStillLetsAStoredFileBeAppendedTo() throws Exception {
        Users.create(ferry.admin(), "q-append", key, "\"quota\":{\"maxFiles\":5}");
        Path keyFile = TestKeys.writePrivateKey(key, work);
        Files.writeString(work.resolve("log.txt"), "first\n");
        var put = new OpenSshClient(ferry.sftpPort(), "q-append", keyFile).sftpBatch(work, "put log.txt", "put log.txt log2.txt");
        assertThat(put.exitCode()).as(put.output()).isZero();
        setQuota("q-append", "maxFiles", 1);
        var append = new Paramiko(ferry.sftpPort(), "q-append", keyFile).one(work, "append", "/log.txt", "second\n");
        assertThat(append.ok()).as(append.error()).isTrue();
        assertThat(stored("q-append", "/log.txt")).asString().isEqualTo("first\nsecond\n");
        awaitUsage("q-append", 13 + 6, 2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "s3"})
    void aFullByteQuotaLetsAFileBeReplacedByOneNoBigger(String backend) throws Exception {
        String user = "bytes-" + backend;
        Users.create(ferry.admin(), user, key, "\"quota\":{\"maxBytes\":" + (100 * KIB) + "},\"storage\":" + storage(backend, user));
        Path keyFile = TestKeys.writePrivateKey(key, work);
        Path local = Files.createTempDirectory(work, user);
        Files.write(local.resolve("full.bin"), random(100 * KIB));
        var cli = new OpenSshClient(ferry.sftpPort(), user, keyFile);
        var first = cli.sftpBatch(local, "put full.bin");
        assertThat(first.exitCode()).as(first.output()).isZero();
        awaitUsage(user, 100 * KIB, 1);
        byte[] replacement = random(100 * KIB);
        replacement[0]++;
        Files.write(local.resolve("full.bin"), replacement);
        var again = cli.sftpBatch(local, "put full.bin");
        assertThat(again.exitCode()).as(again.output()).isZero();
        assertThat(stored(user, "/full.bin")).isEqualTo(replacement);
        // The quota lowered below what is stored: a file of the same size, or a smaller one, may still replace it.
        setQuota(user, "maxBytes", 50 * KIB);
        replacement[1]++;
        Files.write(local.resolve("full.bin"), replacement);
        var sameSize = cli.sftpBatch(local, "put full.bin");
        assertThat(sameSize.exitCode()).as(sameSize.output()).isZero();
        assertThat(stored(user, "/full.bin")).isEqualTo(replacement);
        byte[] smaller = random(10 * KIB);
        Files.write(local.resolve("full.bin"), smaller);
        var shrink = cli.sftpBatch(local, "put full.bin");
        assertThat(shrink.exitCode()).as(shrink.output()).isZero();
        awaitUsage(user, 10 * KIB, 1);
        // One byte more than the quota does not fit, and the stored file stays as it was.
        setQuota(user, "maxBytes", 100 * KIB);
        Files.write(local.resolve("full.bin"), random(100 * KIB + 1));
        var bigger = cli.sftpBatch(local, "put full.bin");
        assertThat(bigger.exitCode()).isNotZero();
        assertThat(stored(user, "/full.bin")).isEqualTo(smaller);
        awaitUsage(user, 10 * KIB, 1);
    }

    /** A whole file as OpenSSH's and paramiko's put send it: OPEN with CREAT and TRUNC, WRITE, CLOSE. */
    static void put(SftpTestClient client, String path, byte[] data) throws java.io.IOException {
        try (SftpClient.CloseableHandle h = client.sftp().open(path, OpenMode.Write, OpenMode.Create, OpenMode.Truncate)) {
            client.sftp().write(h, 0, data);
        }
    }

    /**
     * Sessions creating, replacing and removing the same names at once: the usage must stay exactly
     * what is stored (it drifted to 14 files for 3 stored), so a file quota set to what is stored
     * afterwards still lets every stored file be replaced and refuses the next new one.
     */
    @ParameterizedTest
    @ValueSource(strings = {"local", "s3"})
    void usageStaysExactWhileSessionsChangeTheSameNames(String backend) throws Exception {
        String user = "churn-" + backend;
        Users.create(ferry.admin(), user, key, "\"quota\":{\"maxFiles\":100},\"storage\":" + storage(backend, user));
        int sessions = 8;
        int rounds = backend.equals("s3") ? 6 : 20;
        ExecutorService pool = Executors.newFixedThreadPool(sessions);
        List<Future<?>> done = new ArrayList<>();
        for (int s = 0; s < sessions; s++) {
            int session = s;
            done.add(pool.submit(() -> {
                try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), user, key)) {
                    for (int r = 0; r < rounds; r++) {
                        String name = "/same-" + (r % 3);
                        put(client, name, random(100 + session * 10 + r % 3));
                        try {
                            client.sftp().remove(name);
                        } catch (SftpException goneAlready) {
                            // another session removed it first
                        }
                        put(client, "/kept-" + (r % 3), random(50 + session));
                    }
                }
                return null;
            }));
        }
        for (Future<?> session : done) {
            session.get();
        }
        pool.shutdown();

        long files = 0;
        long bytes = 0;
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), user, key)) {
            for (SftpClient.DirEntry entry : client.sftp().readDir("/")) {
                if (entry.getAttributes().isRegularFile()) {
                    files++;
                    bytes += entry.getAttributes().getSize();
                }
            }
            awaitUsage(user, bytes, files);
            setQuota(user, "maxFiles", files);
            put(client, "/kept-0", random(10));
            assertThatThrownBy(() -> put(client, "/one-more", random(10)))
                    .isInstanceOfSatisfying(SftpException.class, e -> assertThat(e.getMessage()).startsWith("quota exceeded"));
        }
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
