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
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
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

    @Test
    void setstatOfModesIsAccepted() throws IOException {
        String user = newUser();
        randomFile("a.bin", 10);
        ok(openSsh(user).sftpBatch(local, "put a.bin /a.bin", "chmod 600 /a.bin"));
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
        ExternalCommand.Result symlink = openSsh(user).sftpBatch(local, "ln -s /a.bin /link.bin", "ln /a.bin /hard.bin");
        if (supportsLinks()) {
            ok(symlink);
            return;
        }
        assertThat(symlink.exitCode()).isNotZero();
        try (SftpTestClient client = java(user)) {
            assertThatThrownBy(() -> client.sftp().symLink("/link.bin", "/a.bin")).isInstanceOf(SftpException.class)
                    .hasMessageContaining("not supported on S3");
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
