package dev.ferry.sftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.ExternalCommand;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.OpenSshClient;
import dev.ferry.testsupport.TestKeys;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Uploads with OpenSSH's {@code sftp} that end without the client's CLOSE: the client killed,
 * or the connection lost. Local storage discards them: nothing appears under the final name, an
 * overwritten file keeps its old content, and the staged bytes are removed.
 */
class InterruptedUploadIT {

    private static final long BIG_SIZE = 200L * 1024 * 1024;
    /** Enough bytes staged to know the transfer is under way, far from the end of the file. */
    private static final long STAGED_BEFORE_KILL = 1024 * 1024;
    /** sftp -l, in Kbit/s: 5 MB/s, so the 200 MB upload is still running when it is killed. */
    private static final String BANDWIDTH_LIMIT = "40000";

    static FerryInstance ferry;
    static AdminClient admin;
    static KeyPair key;
    static Path keyFile;
    static Path bigFile;
    static final AtomicInteger users = new AtomicInteger();

    @TempDir
    Path local;

    @BeforeAll
    static void start() throws IOException {
        ferry = FerryInstance.start();
        admin = ferry.admin();
        key = TestKeys.ed25519();
        Path dir = FerryInstance.tempDir("ferry-interrupted");
        keyFile = TestKeys.writePrivateKey(key, dir);
        bigFile = dir.resolve("big.bin");
        SplittableRandom random = new SplittableRandom();
        byte[] chunk = new byte[1024 * 1024];
        try (OutputStream out = Files.newOutputStream(bigFile)) {
            for (long written = 0; written < BIG_SIZE; written += chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk);
            }
        }
    }

    @AfterAll
    static void stop() throws IOException {
        ferry.close();
        Files.deleteIfExists(bigFile);
    }

    @Test
    void connectionLostMidUploadLeavesNothingUnderTheFinalName() throws Exception {
        String user = newUser();
        Path home = ferry.homeOf(user);

        Process upload = startUpload(user, "new.bin");
        try {
            awaitStagedBytes(upload);
            assertThat(home.resolve("new.bin")).as("invisible while uploading").doesNotExist();
        } finally {
            killWithConnection(upload);
        }

        assertThat(home.resolve("new.bin")).doesNotExist();
        awaitStagingEmpty();
        ExternalCommand.Result listing = client(user).sftpBatch(local, "ls -la");
        assertThat(listing.output()).doesNotContain("new.bin");
        assertAnotherUploadWorks(user);
    }

    @Test
    void connectionLostMidOverwriteKeepsTheOldContent() throws Exception {
        String user = newUser();
        Path home = ferry.homeOf(user);
        byte[] old = new byte[512 * 1024 + 9];
        new SplittableRandom().nextBytes(old);
        Files.write(local.resolve("old.bin"), old);
        ExternalCommand.Result first = client(user).sftpBatch(local, "put old.bin keep.bin");
        assertThat(first.exitCode()).as(first.output()).isZero();

        Process upload = startUpload(user, "keep.bin");
        try {
            awaitStagedBytes(upload);
            assertThat(Files.readAllBytes(home.resolve("keep.bin"))).as("old content while uploading").isEqualTo(old);
        } finally {
            killWithConnection(upload);
        }

        assertThat(Files.readAllBytes(home.resolve("keep.bin"))).isEqualTo(old);
        awaitStagingEmpty();
        assertThat(Files.readAllBytes(home.resolve("keep.bin"))).isEqualTo(old);
        ExternalCommand.Result download = client(user).sftpBatch(local, "get keep.bin again.bin");
        assertThat(download.exitCode()).as(download.output()).isZero();
        assertThat(Files.readAllBytes(local.resolve("again.bin"))).isEqualTo(old);
        assertAnotherUploadWorks(user);
    }

    @Test
    void sftpKilledMidUploadWhileItsSshClosesTheChannelLeavesNothing() throws Exception {
        String user = newUser();
        Path home = ferry.homeOf(user);

        Process upload = startUpload(user, "half.bin");
        try {
            awaitStagedBytes(upload);
        } finally {
            // Only sftp dies: its ssh sees the pipe close and ends the channel without the SFTP CLOSE.
            List<ProcessHandle> ssh = upload.descendants().toList();
            upload.destroyForcibly();
            assertThat(upload.waitFor(10, TimeUnit.SECONDS)).isTrue();
            awaitGone(ssh);
        }

        assertThat(home.resolve("half.bin")).doesNotExist();
        awaitStagingEmpty();
        assertThat(home.resolve("half.bin")).doesNotExist();
        assertAnotherUploadWorks(user);
    }

    // ------------------------------------------------------------------------------------------

    private Process startUpload(String user, String remoteName) throws IOException {
        List<String> cmd = List.of("sftp", "-b", "-", "-l", BANDWIDTH_LIMIT, "-P", String.valueOf(ferry.sftpPort()),
                "-F", "/dev/null", "-i", keyFile.toString(),
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR",
                user + "@127.0.0.1");
        Process process = new ProcessBuilder(cmd).directory(local.toFile()).redirectErrorStream(true)
                .redirectOutput(local.resolve("sftp-" + remoteName + ".log").toFile()).start();
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(("put " + bigFile + " " + remoteName + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return process;
    }

    /** Waits until the upload's staged file holds some bytes, i.e. the transfer is under way. */
    private void awaitStagedBytes(Process upload) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!upload.isAlive()) {
                fail("sftp ended before it was killed (exit " + upload.exitValue() + "): " + sftpLog());
            }
            for (Path staged : stagedFiles()) {
                try {
                    long size = Files.size(staged);
                    if (size >= STAGED_BEFORE_KILL) {
                        assertThat(size).as("still far from complete").isLessThan(BIG_SIZE / 2);
                        return;
                    }
                } catch (java.nio.file.NoSuchFileException ignored) {
                    // gone meanwhile
                }
            }
            Thread.sleep(20);
        }
        fail("no staged bytes appeared under " + staging() + " within 30 s: " + sftpLog());
    }

    /** Kills sftp and the ssh it runs: the TCP connection drops without any goodbye. */
    private static void killWithConnection(Process upload) throws InterruptedException {
        List<ProcessHandle> ssh = upload.descendants().toList();
        ssh.forEach(ProcessHandle::destroyForcibly);
        upload.destroyForcibly();
        assertThat(upload.waitFor(10, TimeUnit.SECONDS)).isTrue();
        awaitGone(ssh);
    }

    private static void awaitGone(List<ProcessHandle> processes) {
        for (ProcessHandle child : processes) {
            child.onExit().orTimeout(20, TimeUnit.SECONDS).exceptionally(e -> {
                child.destroyForcibly();
                return child;
            }).join();
        }
    }

    private void awaitStagingEmpty() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!stagedFiles().isEmpty()) {
            if (System.nanoTime() > deadline) {
                fail("staged files left after 5 s: " + stagedFiles());
            }
            Thread.sleep(50);
        }
    }

    private void assertAnotherUploadWorks(String user) throws IOException {
        Files.writeString(local.resolve("after.txt"), "uploaded after the interruption");
        ExternalCommand.Result result = client(user).sftpBatch(local, "put after.txt after.txt");
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(ferry.homeOf(user).resolve("after.txt")).hasContent("uploaded after the interruption");
        assertThat(stagedFiles()).isEmpty();
    }

    private static Path staging() {
        return ferry.storageRoot().resolve(".ferry-staging");
    }

    private static List<Path> stagedFiles() throws IOException {
        try (Stream<Path> files = Files.list(staging())) {
            return files.toList();
        }
    }

    private String sftpLog() throws IOException {
        try (Stream<Path> logs = Files.list(local)) {
            StringBuilder text = new StringBuilder();
            for (Path log : logs.filter(p -> p.getFileName().toString().startsWith("sftp-")).toList()) {
                text.append(Files.readString(log));
            }
            return text.toString();
        }
    }

    private static String newUser() {
        String username = "cut" + users.incrementAndGet();
        var response = admin.post("/api/v1/users", "{\"username\":\"" + username + "\",\"publicKeys\":["
                + AdminClient.quote(TestKeys.publicLine(key)) + "]}");
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return username;
    }

    private static OpenSshClient client(String user) {
        return new OpenSshClient(ferry.sftpPort(), user, keyFile);
    }
}
