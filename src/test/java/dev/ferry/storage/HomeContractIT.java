package dev.ferry.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.ExternalCommand;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.OpenSshClient;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.Users;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.OpenMode;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What every storage backend must do the same way, driven by real SFTP clients (OpenSSH's
 * {@code sftp} and MINA's Java client) through a real server. Each backend runs this suite in a
 * subclass that says how its users' storage is configured.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class HomeContractIT {

    /** Parts of S3 uploads are 8 MiB: this size makes three parts, the last one short. */
    static final int MULTIPART_SIZE = 20 * 1024 * 1024 + 12345;

    FerryInstance ferry;
    AdminClient admin;
    KeyPair key;
    Path keyFile;
    final AtomicInteger users = new AtomicInteger();

    @TempDir
    Path local;

    /** Starts the server this backend runs on. */
    abstract FerryInstance startFerry();

    /** The user's {@code "storage"} JSON. */
    abstract String storageJson(String username);

    /** Whether the backend keeps symbolic and hard links. */
    abstract boolean supportsLinks();

    /**
     * What the storage itself holds for the user, looked at behind the server's back: the paths
     * of the user's files relative to the home ("dir/a.bin"), empty directories ("dir/"), plus
     * anything of an upload still kept ("staged:..." on local disk, "multipart:<path>" on S3).
     */
    abstract List<String> stored(String username) throws IOException;

    @BeforeAll
    void start() throws IOException {
        ferry = startFerry();
        admin = ferry.admin();
        key = TestKeys.ed25519();
        keyFile = TestKeys.writePrivateKey(key, FerryInstance.tempDir("ferry-contract-key"));
    }

    @AfterAll
    void stop() {
        if (ferry != null) {
            ferry.close();
        }
    }

    String newUser() {
        String name = "contract" + users.incrementAndGet();
        Users.create(admin, name, key, "\"storage\":" + storageJson(name));
        return name;
    }

    OpenSshClient openSsh(String user) {
        return new OpenSshClient(ferry.sftpPort(), user, keyFile);
    }

    SftpTestClient java(String user) throws IOException {
        return SftpTestClient.withKey(ferry.sftpPort(), user, key);
    }

    Path randomFile(String name, int size) throws IOException {
        Path file = local.resolve(name);
        byte[] bytes = new byte[size];
        new SplittableRandom(size).nextBytes(bytes);
        Files.write(file, bytes);
        return file;
    }

    void ok(ExternalCommand.Result result) {
        assertThat(result.exitCode()).as(result.output()).isZero();
    }

    // ---- transfers ----------------------------------------------------------------------

    @Test
    void putAndGetAreByteExactForEmptySmallAndMultipartFiles() throws IOException {
        String user = newUser();
        for (int size : new int[] {0, 1, 4096, MULTIPART_SIZE}) {
            Path file = randomFile("f" + size, size);
            ok(openSsh(user).sftpBatch(local, "put f" + size, "get f" + size + " back" + size));
            assertThat(Files.mismatch(file, local.resolve("back" + size))).as("size " + size).isEqualTo(-1);
        }
    }

    @Test
    void scpWorks() throws IOException {
        String user = newUser();
        Path file = randomFile("scp.bin", 100_000);
        ok(openSsh(user).scp(local, "scp.bin", openSsh(user).remote("/scp.bin")));
        ok(openSsh(user).scp(local, openSsh(user).remote("/scp.bin"), "scp-back.bin"));
        assertThat(Files.mismatch(file, local.resolve("scp-back.bin"))).isEqualTo(-1);
    }

    @Test
    void reputContinuesAnUploadFromTheSizeStored() throws IOException {
        String user = newUser();
        Path whole = randomFile("whole.bin", MULTIPART_SIZE);
        byte[] bytes = Files.readAllBytes(whole);
        for (int cut : new int[] {3000, 9 * 1024 * 1024 + 5}) {
            Path head = local.resolve("head.bin");
            Files.write(head, java.util.Arrays.copyOf(bytes, cut));
            ok(openSsh(user).sftpBatch(local, "put head.bin r" + cut + ".bin"));
            ok(openSsh(user).sftpBatch(local, "reput whole.bin r" + cut + ".bin"));
            ok(openSsh(user).sftpBatch(local, "get r" + cut + ".bin back.bin"));
            assertThat(Files.mismatch(whole, local.resolve("back.bin"))).as("resumed at " + cut).isEqualTo(-1);
        }
    }

    @Test
    void regetContinuesADownload() throws IOException {
        String user = newUser();
        Path whole = randomFile("whole.bin", MULTIPART_SIZE);
        ok(openSsh(user).sftpBatch(local, "put whole.bin remote.bin"));
        Files.write(local.resolve("partial.bin"), java.util.Arrays.copyOf(Files.readAllBytes(whole), 5_000_000));
        ok(openSsh(user).sftpBatch(local, "reget remote.bin partial.bin"));
        assertThat(Files.mismatch(whole, local.resolve("partial.bin"))).isEqualTo(-1);
    }

    @Test
    void pipelinedWritesOutOfOrderAreAssembledInOrder() throws IOException {
        String user = newUser();
        byte[] bytes = new byte[3 * 1024 * 1024];
        new SplittableRandom(7).nextBytes(bytes);
        int chunk = 256 * 1024;
        List<Integer> offsets = new ArrayList<>();
        for (int offset = 0; offset < bytes.length; offset += chunk) {
            offsets.add(offset);
        }
        java.util.Collections.shuffle(offsets, new java.util.Random(3));
        try (SftpTestClient client = java(user)) {
            SftpClient sftp = client.sftp();
            try (SftpClient.CloseableHandle handle = sftp.open("/shuffled.bin", EnumSet.of(OpenMode.Write, OpenMode.Create, OpenMode.Truncate))) {
                for (int offset : offsets) {
                    sftp.write(handle, offset, bytes, offset, chunk);
                }
            }
            assertThat(read(sftp, "/shuffled.bin")).isEqualTo(bytes);
        }
    }

    @Test
    void anUploadIsInvisibleUntilTheClientClosesIt() throws IOException {
        String user = newUser();
        byte[] old = "old content".getBytes();
        byte[] fresh = new byte[1024 * 1024];
        new SplittableRandom(1).nextBytes(fresh);
        try (SftpTestClient writer = java(user); SftpTestClient reader = java(user)) {
            try (OutputStream out = writer.sftp().write("/replaced.txt")) {
                out.write(old);
            }
            SftpClient.CloseableHandle fresh1 = writer.sftp().open("/new.bin", EnumSet.of(OpenMode.Write, OpenMode.Create, OpenMode.Truncate));
            SftpClient.CloseableHandle over = writer.sftp().open("/replaced.txt", EnumSet.of(OpenMode.Write, OpenMode.Create, OpenMode.Truncate));
            writer.sftp().write(fresh1, 0, fresh, 0, fresh.length);
            writer.sftp().write(over, 0, fresh, 0, fresh.length);

            assertThatThrownBy(() -> reader.sftp().stat("/new.bin")).isInstanceOf(SftpException.class)
                    .extracting(e -> ((SftpException) e).getStatus()).isEqualTo(SftpConstants.SSH_FX_NO_SUCH_FILE);
            assertThat(names(reader.sftp(), "/")).doesNotContain("new.bin");
            assertThat(read(reader.sftp(), "/replaced.txt")).isEqualTo(old);

            fresh1.close();
            over.close();
            assertThat(read(reader.sftp(), "/new.bin")).isEqualTo(fresh);
            assertThat(read(reader.sftp(), "/replaced.txt")).isEqualTo(fresh);
        }
    }

    /**
     * Clients killed (kill -9) in the middle of uploads, as connections really end: OpenSSH's
     * sftp with its ssh (the connection drops), sftp alone (its ssh ends the channel without the
     * SFTP CLOSE), paramiko overwriting a file. Once the server has recorded each upload as failed,
     * nothing is under the new names (stat, ls, listing, download, the storage itself), nothing of
     * the uploads is kept, and the overwritten file is intact.
     */
    @Test
    void uploadsOfKilledClientsLeaveNothingUnderTheirNames() throws Exception {
        String dropped = newUser();
        String ended = newUser();
        String overwriting = newUser();
        randomFile("big.bin", 48 * 1024 * 1024);
        byte[] old = Files.readAllBytes(randomFile("old.bin", 1024 * 1024 + 7));
        ok(openSsh(overwriting).sftpBatch(local, "put old.bin /kept.bin"));

        Process sftpAndSsh = startOpenSshUpload(dropped, "big.bin", "/dropped.bin");
        Process sftpAlone = startOpenSshUpload(ended, "big.bin", "/ended.bin");
        Process paramiko = new ProcessBuilder("/usr/bin/python3", Path.of("src/test/resources/clients/paramiko_slow_upload.py")
                .toAbsolutePath().toString(), String.valueOf(ferry.sftpPort()), overwriting, keyFile.toString(),
                local.resolve("big.bin").toString(), "/kept.bin").redirectErrorStream(true)
                .redirectOutput(local.resolve("paramiko.log").toFile()).start();
        Map<String, Runnable> kills = new java.util.HashMap<>(Map.of(
                dropped, () -> {
                    sftpAndSsh.descendants().forEach(ProcessHandle::destroyForcibly);
                    sftpAndSsh.destroyForcibly();
                },
                ended, sftpAlone::destroyForcibly, // its ssh sees the pipe close and ends the channel
                overwriting, paramiko::destroyForcibly));
        try {
            // each is killed past two parts of 8 MiB, so S3 holds parts of each upload when it is cut off
            killWhenReceived(Map.of(dropped, sftpAndSsh, ended, sftpAlone, overwriting, paramiko), kills, 17L * 1024 * 1024);
        } finally {
            kills.values().forEach(Runnable::run);
        }
        awaitFailedUpload(dropped, "/dropped.bin");
        awaitFailedUpload(ended, "/ended.bin");
        awaitFailedUpload(overwriting, "/kept.bin");

        for (String user : List.of(dropped, ended)) {
            String name = user.equals(dropped) ? "/dropped.bin" : "/ended.bin";
            try (SftpTestClient client = java(user)) {
                assertThatThrownBy(() -> client.sftp().stat(name)).as("stat " + name).isInstanceOf(SftpException.class)
                        .extracting(e -> ((SftpException) e).getStatus()).isEqualTo(SftpConstants.SSH_FX_NO_SUCH_FILE);
                assertThat(names(client.sftp(), "/")).isEmpty();
                assertThatThrownBy(() -> read(client.sftp(), name)).isInstanceOf(SftpException.class);
            }
            ExternalCommand.Result ls = openSsh(user).sftpBatch(local, "ls -l " + name);
            assertThat(ls.exitCode()).as(ls.output()).isNotZero();
            assertThat(stored(user)).as("stored for " + user).isEmpty();
        }
        try (SftpTestClient client = java(overwriting)) {
            assertThat(client.sftp().stat("/kept.bin").getSize()).isEqualTo(old.length);
            assertThat(read(client.sftp(), "/kept.bin")).isEqualTo(old);
        }
        assertThat(stored(overwriting)).containsExactly("kept.bin");
    }

    private Process startOpenSshUpload(String user, String localName, String remote) throws IOException {
        // 32 Mbit/s: far from done when it is killed
        Process process = new ProcessBuilder("sftp", "-l", "32000", "-b", "-", "-P", String.valueOf(ferry.sftpPort()),
                "-F", "/dev/null", "-i", keyFile.toString(), "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR", user + "@127.0.0.1")
                .directory(local.toFile()).redirectErrorStream(true).redirectOutput(local.resolve("sftp-" + user + ".log").toFile())
                .start();
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(("put " + localName + " " + remote + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return process;
    }

    /**
     * Kills each user's client once its session has sent at least {@code bytes} (the sessions
     * API's bytesIn, published every two seconds); fails if a client ends by itself first.
     */
    private void killWhenReceived(Map<String, Process> clients, Map<String, Runnable> kills, long bytes) throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(90).toNanos();
        Set<String> running = new java.util.HashSet<>(clients.keySet());
        while (!running.isEmpty()) {
            for (JsonNode session : admin.get("/api/v1/sessions").json()) {
                String user = session.get("username").asText();
                if (running.contains(user) && session.get("bytesIn").asLong() >= bytes) {
                    kills.get(user).run();
                    running.remove(user);
                }
            }
            for (String user : running) {
                assertThat(clients.get(user).isAlive()).as("the client of " + user + " still uploading").isTrue();
            }
            assertThat(System.nanoTime()).as("%s sent %d bytes", running, bytes).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** Waits until the server recorded the upload of {@code path} as failed: it is done with it. */
    private void awaitFailedUpload(String user, String path) throws InterruptedException {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(90).toNanos();
        while (true) {
            JsonNode events = admin.get("/api/v1/audit?type=UPLOAD&username=" + user).json().get("content");
            for (JsonNode event : events) {
                if (event.get("path").asText().equals(path) && !event.get("status").asText().equals("OK")) {
                    return;
                }
            }
            assertThat(System.nanoTime()).as("the failed upload of %s recorded: %s", path, events).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    // ---- truncation -------------------------------------------------------------------------

    /**
     * SETSTAT with a size (MINA's setStat, as paramiko's truncate and sshfs send it): the file
     * shrinks, grows with zeros, empties, across S3's part boundaries and past a file small enough
     * for one PUT; its mode stays; nothing is left staged.
     */
    @Test
    void setstatWithASizeTruncatesAndExtendsFiles() throws IOException {
        String user = newUser();
        Path big = randomFile("big.bin", MULTIPART_SIZE);
        byte[] bytes = Files.readAllBytes(big);
        byte[] small = Files.readAllBytes(randomFile("small.bin", 10));
        ok(openSsh(user).sftpBatch(local, "put big.bin /big.bin", "chmod 640 /big.bin", "put small.bin /small.bin", "mkdir /dir"));
        try (SftpTestClient client = java(user)) {
            SftpClient sftp = client.sftp();
            int cut = 9 * 1024 * 1024 + 5;
            sftp.setStat("/big.bin", new SftpClient.Attributes().size(cut));
            assertThat(read(sftp, "/big.bin")).isEqualTo(java.util.Arrays.copyOf(bytes, cut));
            sftp.setStat("/big.bin", new SftpClient.Attributes().size(17L * 1024 * 1024));
            assertThat(read(sftp, "/big.bin")).isEqualTo(java.util.Arrays.copyOf(java.util.Arrays.copyOf(bytes, cut), 17 * 1024 * 1024));
            assertThat(modeOf(sftp, "/big.bin")).isEqualTo(0640);
            sftp.setStat("/big.bin", new SftpClient.Attributes().size(0));
            assertThat(sftp.stat("/big.bin").getSize()).isZero();

            sftp.setStat("/small.bin", new SftpClient.Attributes().size(9 * 1024 * 1024 + 1));
            assertThat(read(sftp, "/small.bin")).isEqualTo(java.util.Arrays.copyOf(small, 9 * 1024 * 1024 + 1));
            if (supportsLinks()) {
                sftp.symLink("/link.bin", "/small.bin");
                sftp.setStat("/link.bin", new SftpClient.Attributes().size(3));
                assertThat(read(sftp, "/small.bin")).as("the link's target truncated").isEqualTo(java.util.Arrays.copyOf(small, 3));
                assertThat(sftp.lstat("/link.bin").isSymbolicLink()).as("the link stays").isTrue();
                sftp.remove("/link.bin");
            }

            assertThatThrownBy(() -> sftp.setStat("/missing.bin", new SftpClient.Attributes().size(0)))
                    .isInstanceOf(SftpException.class)
                    .extracting(e -> ((SftpException) e).getStatus()).isEqualTo(SftpConstants.SSH_FX_NO_SUCH_FILE);
            assertThatThrownBy(() -> sftp.setStat("/dir", new SftpClient.Attributes().size(0))).isInstanceOf(SftpException.class);
            assertThat(names(sftp, "/")).containsExactlyInAnyOrder("big.bin", "small.bin", "dir");
        }
        assertThat(stored(user)).containsExactlyInAnyOrder("big.bin", "small.bin", "dir/");
    }

    /**
     * What sshfs sends: an OPEN with O_TRUNC then FSETSTAT size 0 on the handle, writes, CLOSE; an
     * ftruncate of a file opened without O_TRUNC; an ftruncate that extends. The old content stays
     * readable until the CLOSE, as for any upload.
     */
    @Test
    void sshfsTruncatesTheFilesItHasOpen() throws IOException {
        String user = newUser();
        byte[] old = Files.readAllBytes(randomFile("old.bin", 3000));
        ok(openSsh(user).sftpBatch(local, "put old.bin /a.bin", "put old.bin /b.bin"));
        byte[] fresh = "new content".getBytes();
        try (SftpTestClient writer = java(user); SftpTestClient reader = java(user)) {
            SftpClient sftp = writer.sftp();
            SftpClient.CloseableHandle trunc = sftp.open("/a.bin", EnumSet.of(OpenMode.Write, OpenMode.Create, OpenMode.Truncate));
            sftp.setStat(trunc, new SftpClient.Attributes().size(0));
            sftp.write(trunc, 0, fresh);
            assertThat(read(reader.sftp(), "/a.bin")).as("the old content until CLOSE").isEqualTo(old);
            trunc.close();
            assertThat(read(reader.sftp(), "/a.bin")).isEqualTo(fresh);

            SftpClient.CloseableHandle keep = sftp.open("/b.bin", EnumSet.of(OpenMode.Write));
            sftp.setStat(keep, new SftpClient.Attributes().size(1000));
            assertThat(sftp.stat(keep).getSize()).isEqualTo(1000);
            sftp.write(keep, 1000, fresh);
            sftp.setStat(keep, new SftpClient.Attributes().size(1000 + fresh.length)); // to the current size: nothing changes
            assertThat(read(reader.sftp(), "/b.bin")).as("the old content until CLOSE").isEqualTo(old);
            keep.close();
            byte[] expected = java.util.Arrays.copyOf(old, 1000 + fresh.length);
            System.arraycopy(fresh, 0, expected, 1000, fresh.length);
            assertThat(read(reader.sftp(), "/b.bin")).isEqualTo(expected);

            SftpClient.CloseableHandle grow = sftp.open("/c.bin", EnumSet.of(OpenMode.Write, OpenMode.Create, OpenMode.Truncate));
            sftp.write(grow, 0, fresh);
            sftp.setStat(grow, new SftpClient.Attributes().size(5000));
            grow.close();
            assertThat(read(reader.sftp(), "/c.bin")).isEqualTo(java.util.Arrays.copyOf(fresh, 5000));
        }
        assertThat(stored(user)).containsExactlyInAnyOrder("a.bin", "b.bin", "c.bin");
    }

    /**
     * A truncation is an overwrite: it needs the overwrite permission (and no setstat), counts
     * against the quota exactly (extending reserves, shrinking frees), is audited as the UPLOAD of
     * the new version, and the SHA-256 recorded for the old content is not answered any more.
     */
    @Test
    void aTruncationIsMeteredAuditedAndNeedsOverwrite() throws Exception {
        String user = "contract" + users.incrementAndGet();
        Users.create(admin, user, key, "\"storage\":" + storageJson(user) + ",\"quota\":{\"maxBytes\":" + 30 * 1024 * 1024 + "}");
        String noOverwrite = "contract" + users.incrementAndGet();
        Users.create(admin, noOverwrite, key, "\"storage\":" + storageJson(noOverwrite)
                + ",\"permissions\":{\"/\":[\"list\",\"download\",\"upload\",\"setstat\"]}");
        randomFile("big.bin", MULTIPART_SIZE);
        Path digested = randomFile("digested.bin", 3000);
        ok(openSsh(user).sftpBatch(local, "put big.bin /big.bin", "put digested.bin /digested.bin"));
        ok(openSsh(noOverwrite).sftpBatch(local, "put digested.bin /kept.bin"));
        Users.awaitUsage(admin, user, MULTIPART_SIZE + 3000, 2, java.time.Duration.ofSeconds(10));
        try (SftpTestClient client = java(user)) {
            SftpClient sftp = client.sftp();
            sftp.setStat("/big.bin", new SftpClient.Attributes().size(5L * 1024 * 1024));
            Users.awaitUsage(admin, user, 5 * 1024 * 1024 + 3000, 2, java.time.Duration.ofSeconds(10));
            sftp.setStat("/big.bin", new SftpClient.Attributes().size(25L * 1024 * 1024));
            Users.awaitUsage(admin, user, 25 * 1024 * 1024 + 3000, 2, java.time.Duration.ofSeconds(10));
            assertThatThrownBy(() -> sftp.setStat("/big.bin", new SftpClient.Attributes().size(40L * 1024 * 1024)))
                    .isInstanceOf(SftpException.class).hasMessageStartingWith("quota exceeded");
            assertThat(sftp.stat("/big.bin").getSize()).isEqualTo(25L * 1024 * 1024);
            Users.awaitUsage(admin, user, 25 * 1024 * 1024 + 3000, 2, java.time.Duration.ofSeconds(10));

            var check = sftp.getExtension(org.apache.sshd.sftp.client.extensions.CheckFileNameExtension.class);
            assertThat(check.checkFileName("/digested.bin", List.of("sha256"), 0, 0, 0).getValue()).hasSize(1);
            sftp.setStat("/digested.bin", new SftpClient.Attributes().size(1000));
            sftp.setStat("/digested.bin", new SftpClient.Attributes().size(3000)); // the old size, other bytes
            byte[] now = java.util.Arrays.copyOf(java.util.Arrays.copyOf(Files.readAllBytes(digested), 1000), 3000);
            assertThat(check.checkFileName("/digested.bin", List.of("sha256"), 0, 0, 0).getValue().iterator().next())
                    .as("the digest of the truncated content, not the uploaded one").isEqualTo(dev.ferry.shared.Sha256.of(now));
        }
        JsonNode upload = admin.get("/api/v1/audit?type=UPLOAD&username=" + user).json().get("content").get(0);
        assertThat(upload.get("path").asText()).isEqualTo("/digested.bin");
        assertThat(upload.get("bytes").asLong()).isEqualTo(3000);
        assertThat(upload.get("detail").asText()).isEqualTo("truncated to 3000 bytes (SETSTAT size)");
        assertThat(upload.get("sha256").isNull()).isTrue();

        try (SftpTestClient client = java(noOverwrite)) {
            assertThatThrownBy(() -> client.sftp().setStat("/kept.bin", new SftpClient.Attributes().size(0)))
                    .isInstanceOf(SftpException.class).hasMessageContaining("'overwrite' is not granted")
                    .extracting(e -> ((SftpException) e).getStatus()).isEqualTo(SftpConstants.SSH_FX_PERMISSION_DENIED);
            assertThat(read(client.sftp(), "/kept.bin")).isEqualTo(Files.readAllBytes(digested));
        }
    }

    // ---- directories and names ------------------------------------------------------------

    @Test
    void directoriesAreListedWithSizesAndAnEmptyOneSurvives() throws IOException {
        String user = newUser();
        randomFile("a.bin", 1234);
        ok(openSsh(user).sftpBatch(local, "mkdir /docs", "mkdir /docs/empty", "put a.bin /docs/a.bin", "mkdir /docs/sub",
                "put a.bin /docs/sub/deep.bin"));
        try (SftpTestClient client = java(user)) {
            SftpClient sftp = client.sftp();
            Map<String, SftpClient.Attributes> entries = new java.util.TreeMap<>();
            for (SftpClient.DirEntry entry : sftp.readDir("/docs")) {
                entries.put(entry.getFilename(), entry.getAttributes());
            }
            assertThat(entries.keySet()).contains("a.bin", "empty", "sub");
            assertThat(entries.get("a.bin").isRegularFile()).isTrue();
            assertThat(entries.get("a.bin").getSize()).isEqualTo(1234);
            assertThat(entries.get("empty").isDirectory()).isTrue();
            assertThat(entries.get("sub").isDirectory()).isTrue();
            assertThat(sftp.stat("/docs/empty").isDirectory()).isTrue();
            assertThat(sftp.stat("/docs/a.bin").getSize()).isEqualTo(1234);
        }
        ExternalCommand.Result listing = openSsh(user).sftpBatch(local, "ls -l /docs");
        ok(listing);
        assertThat(listing.output()).contains("a.bin").contains("empty").contains("1234");
    }

    /** Sessions at once and rounds each of the churn below: enough that entries vanish mid-listing every round. */
    abstract int churnRounds();

    @Test
    void listingsNeverFailWhileOtherSessionsChangeTheDirectory() throws Exception {
        String user = newUser();
        ok(openSsh(user).sftpBatch(local, "mkdir /busy"));
        int sessions = 20;
        int rounds = churnRounds();
        Path script = Path.of("src/test/resources/clients/paramiko_churn.py").toAbsolutePath();
        ExternalCommand.Result run = ExternalCommand.run(local, List.of("/usr/bin/python3", script.toString(),
                String.valueOf(ferry.sftpPort()), user, keyFile.toString(), "/busy", String.valueOf(sessions),
                String.valueOf(rounds)), "");
        assertThat(run.exitCode()).as(run.output()).isZero();
        var result = tools.jackson.databind.json.JsonMapper.builder().build()
                .readTree(run.output().lines().reduce((first, last) -> last).orElseThrow());
        // Every session made every call (none died), and none of them failed: an entry that vanished
        // between reading the directory and reading its attributes is left out of that listing.
        for (String op : List.of("put", "stat", "listdir", "listdir_attr", "get", "rename", "remove")) {
            assertThat(result.get("calls").get(op).asInt()).as(op + " calls").isEqualTo(sessions * rounds);
        }
        assertThat(result.get("failures").size()).as(result.toString()).isZero();
        try (SftpTestClient client = java(user)) {
            assertThat(names(client.sftp(), "/busy")).isEmpty();
            // A stat of a name that is gone still fails: only listings skip vanished entries.
            assertThatThrownBy(() -> client.sftp().stat("/busy/s0-r0.bin")).isInstanceOf(SftpException.class)
                    .extracting(e -> ((SftpException) e).getStatus()).isEqualTo(SftpConstants.SSH_FX_NO_SUCH_FILE);
        }
    }

    @Test
    void rmdirRemovesOnlyEmptyDirectories() throws IOException {
        String user = newUser();
        randomFile("a.bin", 10);
        ok(openSsh(user).sftpBatch(local, "mkdir /full", "put a.bin /full/a.bin", "mkdir /empty"));
        assertThat(openSsh(user).sftpBatch(local, "rmdir /full").exitCode()).isNotZero();
        ok(openSsh(user).sftpBatch(local, "rmdir /empty", "rm /full/a.bin", "rmdir /full"));
        try (SftpTestClient client = java(user)) {
            assertThat(names(client.sftp(), "/")).doesNotContain("full", "empty");
        }
    }

    @Test
    void mkdirOfAnExistingNameOrInAMissingDirectoryFails() throws IOException {
        String user = newUser();
        ok(openSsh(user).sftpBatch(local, "mkdir /there"));
        assertThat(openSsh(user).sftpBatch(local, "mkdir /there").exitCode()).isNotZero();
        assertThat(openSsh(user).sftpBatch(local, "mkdir /missing/child").exitCode()).isNotZero();
        randomFile("x.bin", 10);
        assertThat(openSsh(user).sftpBatch(local, "put x.bin /missing/x.bin").exitCode()).isNotZero();
    }

    @Test
    void renameMovesFilesAndRefusesToReplaceUnlessPosixRename() throws IOException {
        String user = newUser();
        Path a = randomFile("a.bin", 5000);
        Path b = randomFile("b.bin", 7000);
        ok(openSsh(user).sftpBatch(local, "put a.bin /a.bin", "put b.bin /b.bin", "rename /a.bin /moved.bin"));
        try (SftpTestClient client = java(user)) {
            SftpClient sftp = client.sftp();
            assertThat(names(sftp, "/")).contains("moved.bin").doesNotContain("a.bin");
            assertThat(read(sftp, "/moved.bin")).isEqualTo(Files.readAllBytes(a));
            // SFTP v3 rename never replaces an existing name.
            assertThatThrownBy(() -> sftp.rename("/moved.bin", "/b.bin")).isInstanceOf(SftpException.class);
            assertThat(read(sftp, "/b.bin")).isEqualTo(Files.readAllBytes(b));
        }
        // OpenSSH's rename uses posix-rename@openssh.com, which replaces the target.
        ok(openSsh(user).sftpBatch(local, "put b.bin /c.bin", "rename /c.bin /b.bin", "get /b.bin back.bin"));
        assertThat(Files.mismatch(b, local.resolve("back.bin"))).isEqualTo(-1);
    }

    @Test
    void renameOfADirectoryMovesEverythingInIt() throws IOException {
        String user = newUser();
        Path a = randomFile("a.bin", 3000);
        ok(openSsh(user).sftpBatch(local, "mkdir /from", "mkdir /from/inner", "mkdir /from/inner/empty",
                "put a.bin /from/inner/a.bin", "put a.bin /from/top.bin", "rename /from /to"));
        try (SftpTestClient client = java(user)) {
            SftpClient sftp = client.sftp();
            assertThat(names(sftp, "/")).contains("to").doesNotContain("from");
            assertThat(read(sftp, "/to/inner/a.bin")).isEqualTo(Files.readAllBytes(a));
            assertThat(read(sftp, "/to/top.bin")).isEqualTo(Files.readAllBytes(a));
            assertThat(sftp.stat("/to/inner/empty").isDirectory()).isTrue();
        }
    }

    @Test
    void removeDeletesAFileAndAMissingOneIsReported() throws IOException {
        String user = newUser();
        randomFile("a.bin", 10);
        ok(openSsh(user).sftpBatch(local, "put a.bin /a.bin", "rm /a.bin"));
        try (SftpTestClient client = java(user)) {
            assertThat(names(client.sftp(), "/")).doesNotContain("a.bin");
            assertThatThrownBy(() -> client.sftp().remove("/a.bin")).isInstanceOf(SftpException.class)
                    .extracting(e -> ((SftpException) e).getStatus()).isEqualTo(SftpConstants.SSH_FX_NO_SUCH_FILE);
        }
    }

    /**
     * Permission bits come back as clients set them, from stat and from listings, however they
     * were set: chmod (OpenSSH, lftp, MINA), FSETSTAT on the open handle (put -p), the mode sent
     * with OPEN; an append keeps the file's mode, a rename carries it; setuid is never kept.
     */
    @Test
    void permissionBitsSetByClientsAreKept() throws Exception {
        String user = newUser();
        Path plain = randomFile("plain.bin", 10);
        Files.setPosixFilePermissions(plain, PosixFilePermissions.fromString("rw-rw----"));
        Path script = randomFile("run.sh", 20);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-x---"));
        Path whole = randomFile("whole.bin", 3000);
        Files.write(local.resolve("head.bin"), java.util.Arrays.copyOf(Files.readAllBytes(whole), 1000));
        ok(openSsh(user).sftpBatch(local, "mkdir /m", "put plain.bin /m/chmod.bin", "chmod 640 /m/chmod.bin",
                "put -p run.sh /m/run.sh", "put plain.bin /m/open.bin", "put plain.bin /m/lftp.bin",
                "put head.bin /m/appended.bin", "chmod 604 /m/appended.bin", "reput whole.bin /m/appended.bin",
                "put plain.bin /m/suid.bin", "chmod 700 /m"));
        ok(lftp(user, "chmod 600 /m/lftp.bin"));
        try (SftpTestClient client = java(user)) {
            SftpClient sftp = client.sftp();
            SftpClient.Attributes suid = new SftpClient.Attributes();
            suid.setPermissions(04755);
            sftp.setStat("/m/suid.bin", suid);

            // open.bin: created with the local file's 0660, under umask 022 as OpenSSH's sftp-server applies it.
            Map<String, Integer> expected = Map.of("chmod.bin", 0640, "run.sh", 0750, "open.bin", 0640, "lftp.bin", 0600,
                    "appended.bin", 0604, "suid.bin", 0755);
            expected.forEach((name, mode) -> assertThat(modeOf(sftp, "/m/" + name)).as("stat of " + name).isEqualTo(mode));
            assertThat(listedModes(sftp, "/m")).containsAllEntriesOf(expected);
            assertThat(read(sftp, "/m/appended.bin")).isEqualTo(Files.readAllBytes(whole));

            sftp.rename("/m/chmod.bin", "/m/renamed.bin");
            assertThat(modeOf(sftp, "/m/renamed.bin")).isEqualTo(0640);
        }
        ExternalCommand.Result listing = openSsh(user).sftpBatch(local, "ls -l /m");
        ok(listing);
        assertThat(listing.output()).containsPattern("(?m)^-rw-r----- .* renamed\\.bin$").containsPattern("(?m)^-rwxr-x--- .* run\\.sh$").doesNotContain("Principal[");

        // Written anew (truncated), a file keeps its mode, as open(2) with O_TRUNC keeps it: the mode sent with OPEN is for creating.
        ok(openSsh(user).sftpBatch(local, "chmod 604 /m/renamed.bin", "put plain.bin /m/renamed.bin"));
        try (SftpTestClient client = java(user)) {
            assertThat(modeOf(client.sftp(), "/m/renamed.bin")).isEqualTo(0604);
        }
    }

    @Test
    void paramikoSetsModesAndTruncatesOnPathsAndOpenHandles() throws Exception {
        String user = newUser();
        JsonNode seen = paramiko(user, "paramiko_attributes.py");
        assertThat(seen.get("chmod").asInt()).isEqualTo(0640);
        assertThat(seen.get("handle").asInt()).isEqualTo(0751);
        assertThat(seen.get("listed").get("chmod.bin").asInt()).isEqualTo(0640);
        assertThat(seen.get("listed").get("handle.bin").asInt()).isEqualTo(0751);
        assertThat(seen.get("shrunk").asBoolean()).isTrue();
        assertThat(seen.get("extended").asBoolean()).isTrue();
        assertThat(seen.get("emptied").asInt()).isZero();
        assertThat(seen.get("ftruncated").asText()).isEqualTo(java.util.HexFormat.of().formatHex("abcdXY\0\0".getBytes()));
        if (supportsLinks()) {
            assertThat(seen.get("symlink").asText()).isEqualTo("created");
        } else {
            assertThat(seen.get("symlink").asText()).endsWith(": symbolic links are not supported on S3 storage");
        }
    }

    static int modeOf(SftpClient sftp, String path) {
        try {
            return sftp.stat(path).getPermissions() & 07777;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Map<String, Integer> listedModes(SftpClient sftp, String dir) throws IOException {
        Map<String, Integer> modes = new java.util.TreeMap<>();
        for (SftpClient.DirEntry entry : sftp.readDir(dir)) {
            modes.put(entry.getFilename(), entry.getAttributes().getPermissions() & 07777);
        }
        return modes;
    }

    /** lftp with the given commands, over OpenSSH's ssh with the test key. */
    ExternalCommand.Result lftp(String user, String commands) {
        String ssh = "ssh -a -x -F /dev/null -i " + keyFile + " -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"
                + " -o BatchMode=yes -o IdentitiesOnly=yes -o LogLevel=ERROR -p " + ferry.sftpPort();
        return ExternalCommand.run(local, List.of("lftp", "-e", "set sftp:connect-program '" + ssh + "'; set net:max-retries 1; "
                + commands + "; bye", "sftp://" + user + ":x@127.0.0.1"), "");
    }

    /** Runs a paramiko script of src/test/resources/clients with port, user and key file; its last line of output, as JSON. */
    JsonNode paramiko(String user, String script, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3",
                Path.of("src/test/resources/clients", script).toAbsolutePath().toString(),
                String.valueOf(ferry.sftpPort()), user, keyFile.toString()));
        command.addAll(List.of(args));
        ExternalCommand.Result run = ExternalCommand.run(local, command, "");
        assertThat(run.exitCode()).as(run.output()).isZero();
        return JsonMapper.builder().build().readTree(run.output().lines().reduce((first, second) -> second).orElseThrow());
    }

    /**
     * Tools that decide what to transfer by size and time (rclone sync, lftp mirror) need the
     * time they set to come back, from stat and from listings, also after a rename; a file
     * written anew shows its own time, never one set on the file it replaced.
     */
    @Test
    void modificationTimesSetByClientsAreKept() throws IOException {
        String user = newUser();
        Path a = randomFile("a.bin", 10);
        Path multipart = randomFile("multi.bin", MULTIPART_SIZE);
        Files.setLastModifiedTime(a, java.nio.file.attribute.FileTime.from(java.time.Instant.parse("2011-02-03T04:05:06Z")));
        Files.setLastModifiedTime(multipart, java.nio.file.attribute.FileTime.from(java.time.Instant.parse("2012-02-03T04:05:06Z")));
        // put -p sets the time on the open handle (FSETSTAT) before closing it.
        ok(openSsh(user).sftpBatch(local, "mkdir /dir", "put -p a.bin /dir/kept.bin", "put -p multi.bin /dir/multi.bin",
                "put a.bin /dir/set-later.bin", "put a.bin /dir/plain.bin"));
        try (SftpTestClient client = java(user)) {
            SftpClient sftp = client.sftp();
            SftpClient.Attributes later = new SftpClient.Attributes();
            later.modifyTime(1_600_000_000);
            later.accessTime(1_600_000_000); // SFTP v3 sends both times or neither
            sftp.setStat("/dir/set-later.bin", later);

            assertThat(mtime(sftp, "/dir/kept.bin")).isEqualTo(1_296_705_906L);
            assertThat(mtime(sftp, "/dir/multi.bin")).isEqualTo(1_328_241_906L);
            assertThat(mtime(sftp, "/dir/set-later.bin")).isEqualTo(1_600_000_000L);
            long now = System.currentTimeMillis() / 1000;
            assertThat(mtime(sftp, "/dir/plain.bin")).isBetween(now - 300, now + 5);
            assertThat(listedTimes(sftp, "/dir")).containsEntry("kept.bin", 1_296_705_906L)
                    .containsEntry("multi.bin", 1_328_241_906L).containsEntry("set-later.bin", 1_600_000_000L);
            // Only the times were set (rclone and SFTP v3 clients do that): the file keeps the mode it had.
            int plainMode = sftp.stat("/dir/plain.bin").getPermissions() & 0777;
            assertThat(plainMode).isNotZero();
            assertThat(sftp.stat("/dir/set-later.bin").getPermissions() & 0777).isEqualTo(plainMode);
            for (SftpClient.DirEntry entry : sftp.readDir("/dir")) {
                if (entry.getFilename().equals("set-later.bin")) {
                    assertThat(entry.getAttributes().getPermissions() & 0777).as("listed mode").isEqualTo(plainMode);
                }
            }

            sftp.rename("/dir/set-later.bin", "/dir/renamed.bin");
            assertThat(mtime(sftp, "/dir/renamed.bin")).isEqualTo(1_600_000_000L);
            sftp.rename("/dir", "/moved");
            assertThat(listedTimes(sftp, "/moved")).containsEntry("kept.bin", 1_296_705_906L)
                    .containsEntry("multi.bin", 1_328_241_906L).containsEntry("renamed.bin", 1_600_000_000L);
        }
        // The same bytes uploaded again without -p: the new file's own time, not the one set before.
        ok(openSsh(user).sftpBatch(local, "put a.bin /moved/kept.bin"));
        // Removed and made again: nothing of the old file's time either.
        ok(openSsh(user).sftpBatch(local, "rm /moved/renamed.bin", "put a.bin /moved/renamed.bin"));
        try (SftpTestClient client = java(user)) {
            long now = System.currentTimeMillis() / 1000;
            assertThat(mtime(client.sftp(), "/moved/kept.bin")).isBetween(now - 300, now + 5);
            assertThat(mtime(client.sftp(), "/moved/renamed.bin")).isBetween(now - 300, now + 5);
            assertThat(listedTimes(client.sftp(), "/moved").get("kept.bin")).isBetween(now - 300, now + 5);
        }
    }

    static long mtime(SftpClient sftp, String path) throws IOException {
        return sftp.stat(path).getModifyTime().to(java.util.concurrent.TimeUnit.SECONDS);
    }

    static Map<String, Long> listedTimes(SftpClient sftp, String dir) throws IOException {
        Map<String, Long> times = new java.util.TreeMap<>();
        for (SftpClient.DirEntry entry : sftp.readDir(dir)) {
            times.put(entry.getFilename(), entry.getAttributes().getModifyTime().to(java.util.concurrent.TimeUnit.SECONDS));
        }
        return times;
    }

    @Test
    void dfAnswers() {
        String user = newUser();
        ExternalCommand.Result df = openSsh(user).sftpBatch(local, "df -h /");
        ok(df);
        assertThat(df.output()).contains("Size");
    }

    @Test
    void nothingOutsideTheHomeCanBeNamed() throws IOException {
        String owner = newUser();
        String other = newUser();
        randomFile("secret.bin", 100);
        ok(openSsh(other).sftpBatch(local, "put secret.bin /secret.bin"));
        try (SftpTestClient client = java(owner)) {
            SftpClient sftp = client.sftp();
            assertThat(sftp.canonicalPath("/../../..")).isEqualTo("/");
            for (String path : List.of("/../" + other + "/secret.bin", "../" + other + "/secret.bin", "/../../secret.bin")) {
                assertThatThrownBy(() -> read(sftp, path)).as(path).isInstanceOf(SftpException.class);
            }
            sftp.mkdir("/../escaped");
            assertThat(names(sftp, "/")).contains("escaped");
        }
    }

    @Test
    void linksWorkWhereTheBackendHasThemAndAreRefusedClearlyElsewhere() throws IOException {
        String user = newUser();
        randomFile("a.bin", 10);
        ok(openSsh(user).sftpBatch(local, "put a.bin /a.bin"));
        ExternalCommand.Result symlink = openSsh(user).sftpBatch(local, "ln -s /a.bin /link.bin");
        ExternalCommand.Result hardLink = openSsh(user).sftpBatch(local, "ln /a.bin /hard.bin");
        if (supportsLinks()) {
            ok(symlink);
            ok(hardLink);
            return;
        }
        assertThat(symlink.exitCode()).isNotZero();
        assertThat(symlink.output()).contains("Operation unsupported");
        assertThat(hardLink.exitCode()).isNotZero();
        assertThat(hardLink.output()).contains("Operation unsupported");
        try (SftpTestClient client = java(user)) {
            assertThatThrownBy(() -> client.sftp().symLink("/link.bin", "/a.bin")).isInstanceOf(SftpException.class)
                    .hasMessageContaining("symbolic links are not supported on S3 storage")
                    .extracting(e -> ((SftpException) e).getStatus()).isEqualTo(SftpConstants.SSH_FX_OP_UNSUPPORTED);
            assertThat(names(client.sftp(), "/")).containsExactly("a.bin");
        }
    }

    static byte[] read(SftpClient sftp, String path) throws IOException {
        try (var in = sftp.read(path)) {
            return in.readAllBytes();
        }
    }

    static List<String> names(SftpClient sftp, String dir) throws IOException {
        List<String> names = new ArrayList<>();
        for (SftpClient.DirEntry entry : sftp.readDir(dir)) {
            if (!entry.getFilename().equals(".") && !entry.getFilename().equals("..")) {
                names.add(entry.getFilename());
            }
        }
        return names;
    }
}
