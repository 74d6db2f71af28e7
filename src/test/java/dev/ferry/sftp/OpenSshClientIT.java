package dev.ferry.sftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.ExternalCommand;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.OpenSshClient;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.sshd.sftp.common.SftpException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenSSH's own {@code sftp} (batch mode) and {@code scp} against a whole Ferry over real sockets:
 * the commands people type, the extensions OpenSSH uses when offered, and chroot escapes.
 */
class OpenSshClientIT {

    /** {@code df} without -h: Size, Used, Avail, (root) in KiB, then the capacity. */
    private static final Pattern DF_NUMBERS = Pattern.compile("(?m)^\\s*(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)%\\s*$");

    static FerryInstance ferry;
    static AdminClient admin;
    static KeyPair key;
    static Path keyDir;
    static Path keyFile;
    static int userCounter;

    @TempDir
    Path local;

    /** Every output of the OpenSSH clients in the current test, checked for on-disk paths afterwards. */
    private final List<String> outputs = new ArrayList<>();

    @BeforeAll
    static void start() {
        ferry = FerryInstance.start();
        admin = ferry.admin();
        key = TestKeys.ed25519();
        keyDir = FerryInstance.tempDir("ferry-keys");
        keyFile = TestKeys.writePrivateKey(key, keyDir);
    }

    @AfterAll
    static void stop() {
        ferry.close();
    }

    @AfterEach
    void noAnswerNamesTheOnDiskRoot() {
        String root = ferry.storageRoot().toString();
        for (String output : outputs) {
            assertThat(output.lines()).as("client output:%n%s", output).noneMatch(line -> line.contains(root));
        }
    }

    @Test
    void keyLoginLandsInTheHomeSeenAsRoot() {
        OpenSshClient client = newUser();
        ExternalCommand.Result pwd = run(client, "pwd");
        assertThat(pwd.exitCode()).as(pwd.output()).isZero();
        assertThat(pwd.output()).contains("Remote working directory: /\n");
    }

    @Test
    void putAndGetCopyAFewMegabytesByteForByte() throws IOException {
        OpenSshClient client = newUser();
        byte[] data = randomBytes(3 * 1024 * 1024 + 517);
        Files.write(local.resolve("up.bin"), data);

        Files.setLastModifiedTime(local.resolve("up.bin"), FileTime.from(Instant.parse("2001-09-09T01:46:40Z")));

        ExternalCommand.Result result = run(client, "put up.bin remote.bin", "get remote.bin down.bin",
                "put -p up.bin kept.bin", "get -p kept.bin kept-down.bin");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(Files.readAllBytes(homeOf(client).resolve("remote.bin"))).isEqualTo(data);
        assertThat(Files.readAllBytes(local.resolve("down.bin"))).isEqualTo(data);
        // -p sets the times on the open upload handle, before CLOSE publishes it.
        assertThat(Files.getLastModifiedTime(homeOf(client).resolve("kept.bin")).toInstant())
                .isEqualTo(Instant.parse("2001-09-09T01:46:40Z"));
        assertThat(Files.getLastModifiedTime(local.resolve("kept-down.bin")).toInstant())
                .isEqualTo(Instant.parse("2001-09-09T01:46:40Z"));
    }

    @Test
    void reputCompletesARemoteFileThatHoldsTheFirstHalf() throws IOException {
        OpenSshClient client = newUser();
        byte[] whole = randomBytes(2 * 1024 * 1024 + 333);
        Files.write(local.resolve("half.bin"), Arrays.copyOf(whole, whole.length / 2));
        Files.write(local.resolve("whole.bin"), whole);

        ExternalCommand.Result result = run(client, "put half.bin data.bin", "reput whole.bin data.bin");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(Files.readAllBytes(homeOf(client).resolve("data.bin"))).isEqualTo(whole);
    }

    @Test
    void regetCompletesALocalFileThatHoldsTheFirstHalf() throws IOException {
        OpenSshClient client = newUser();
        byte[] whole = randomBytes(2 * 1024 * 1024 + 77);
        Files.write(homeOf(client).resolve("data.bin"), whole);
        Files.write(local.resolve("data.bin"), Arrays.copyOf(whole, whole.length / 2));

        ExternalCommand.Result result = run(client, "reget data.bin data.bin");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(Files.readAllBytes(local.resolve("data.bin"))).isEqualTo(whole);
    }

    @Test
    void renameMovesFilesAndReplacesAnExistingTargetThroughPosixRename() throws IOException {
        OpenSshClient client = newUser();
        Path home = homeOf(client);
        Files.writeString(home.resolve("a.txt"), "first");
        Files.writeString(home.resolve("b.txt"), "second");
        Files.writeString(home.resolve("old.txt"), "replaced");

        // SSH_FXP_RENAME (v3) refuses an existing target; posix-rename@openssh.com replaces it.
        ExternalCommand.Result result = run(client, "mkdir sub", "rename a.txt sub/a2.txt", "rename b.txt old.txt");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(home.resolve("a.txt")).doesNotExist();
        assertThat(home.resolve("sub/a2.txt")).hasContent("first");
        assertThat(home.resolve("b.txt")).doesNotExist();
        assertThat(home.resolve("old.txt")).hasContent("second");
    }

    @Test
    void mkdirRmdirAndRmChangeTheHome() throws IOException {
        OpenSshClient client = newUser();
        Path home = homeOf(client);
        Files.writeString(home.resolve("gone.txt"), "x");

        ExternalCommand.Result made = run(client, "mkdir d1", "mkdir d2", "rmdir d2", "rm gone.txt");

        assertThat(made.exitCode()).as(made.output()).isZero();
        assertThat(home.resolve("d1")).isDirectory();
        assertThat(home.resolve("d2")).doesNotExist();
        assertThat(home.resolve("gone.txt")).doesNotExist();

        Files.writeString(home.resolve("d1/inside.txt"), "x");
        ExternalCommand.Result notEmpty = run(client, "rmdir d1");
        assertThat(notEmpty.exitCode()).as(notEmpty.output()).isNotZero();
        assertThat(home.resolve("d1/inside.txt")).exists();
    }

    @Test
    void chmodSetsTheModeAndLsShowsIt() throws IOException {
        OpenSshClient client = newUser();
        Files.writeString(homeOf(client).resolve("f.txt"), "x");

        ExternalCommand.Result result = run(client, "chmod 640 f.txt", "ls -l f.txt", "ls -l");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(homeOf(client).resolve("f.txt"))))
                .isEqualTo("rw-r-----");
        assertThat(result.output().lines().filter(line -> line.endsWith("f.txt") && !line.startsWith("sftp>")))
                .hasSize(2)
                .allMatch(line -> line.startsWith("-rw-r-----"), "shows -rw-r-----");
    }

    @Test
    void symlinkIsCreatedInsideTheHomeAndListedAsALink() throws Exception {
        OpenSshClient client = newUser();
        Path home = homeOf(client);
        Files.createDirectories(home.resolve("docs"));
        Files.writeString(home.resolve("docs/target.txt"), "through the link");

        ExternalCommand.Result result = run(client, "ln -s docs/target.txt link.txt", "ls -l", "get link.txt got.txt");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output().lines().filter(line -> line.contains("link.txt") && !line.startsWith("sftp>")))
                .anyMatch(line -> line.startsWith("l"));
        assertThat(Files.isSymbolicLink(home.resolve("link.txt"))).isTrue();
        assertThat(Files.readSymbolicLink(home.resolve("link.txt")).toString()).isEqualTo("docs/target.txt");
        assertThat(local.resolve("got.txt")).hasContent("through the link");
        try (SftpTestClient sftp = SftpTestClient.withKey(ferry.sftpPort(), user(client), key)) {
            assertThat(sftp.sftp().readLink("/link.txt")).isEqualTo("docs/target.txt");
            assertThat(sftp.sftp().canonicalPath("/link.txt")).isEqualTo("/link.txt");
        }
    }

    @Test
    void dfPrintsTheSizeOfTheStore() {
        OpenSshClient client = newUser();

        ExternalCommand.Result result = run(client, "df");

        assertThat(result.exitCode()).as(result.output()).isZero();
        Matcher numbers = DF_NUMBERS.matcher(result.output());
        assertThat(numbers.find()).as(result.output()).isTrue();
        assertThat(Long.parseLong(numbers.group(1))).as("size in KiB").isPositive();
    }

    @Test
    void cdAboveTheHomeStaysAtRoot() {
        OpenSshClient client = newUser();

        ExternalCommand.Result result = run(client, "cd ..", "pwd", "cd ../../..", "pwd", "cd /..", "pwd");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output().lines().filter(line -> line.startsWith("Remote working directory:")))
                .hasSize(3)
                .allMatch(line -> line.equals("Remote working directory: /"));
    }

    @Test
    void filesOutsideTheHomeCannotBeDownloaded() throws IOException {
        OpenSshClient client = newUser();
        Files.writeString(homeOf(client).resolve("marker.txt"), "x");

        ExternalCommand.Result relative = run(client, "get ../../etc/passwd p1");
        ExternalCommand.Result absolute = run(client, "get /etc/passwd p2");
        ExternalCommand.Result listing = run(client, "ls /..");

        assertThat(relative.exitCode()).as(relative.output()).isNotZero();
        assertThat(absolute.exitCode()).as(absolute.output()).isNotZero();
        assertNoSystemFileIn(local);
        assertThat(listing.exitCode()).as(listing.output()).isZero();
        assertThat(listing.output()).contains("marker.txt").doesNotContain("etc").doesNotContain("usr");
    }

    @Test
    void symlinkToAnAbsolutePathPointsIntoTheHome() throws IOException {
        OpenSshClient client = newUser();
        Path home = homeOf(client);

        ExternalCommand.Result link = run(client, "ln -s /etc/passwd x");
        ExternalCommand.Result get = run(client, "get x x.out");

        assertThat(link.exitCode()).as(link.output()).isZero();
        assertThat(get.exitCode()).as(get.output()).isNotZero();
        assertNoSystemFileIn(local);
        assertThat(home.resolve("x").toRealPath(LinkOption.NOFOLLOW_LINKS).getParent()).isEqualTo(home.toRealPath());
        Path target = home.resolve(Files.readSymbolicLink(home.resolve("x"))).normalize();
        assertThat(target.startsWith(home)).as("link target %s is inside the home", target).isTrue();
    }

    @Test
    void symlinkClimbingAboveTheHomeIsRefused() throws IOException {
        OpenSshClient client = newUser();
        Path home = homeOf(client);

        ExternalCommand.Result result = run(client, "ln -s ../../.. up");

        assertThat(result.exitCode()).as(result.output()).isNotZero();
        assertThat(home.resolve("up")).doesNotExist();
        assertThat(Files.isSymbolicLink(home.resolve("up"))).isFalse();
    }

    @Test
    void renameAboveTheHomeStaysInsideIt() throws IOException {
        OpenSshClient client = newUser();
        Path home = homeOf(client);
        Files.writeString(home.resolve("f"), "mine");

        ExternalCommand.Result result = run(client, "rename f ../../outside");

        assertThat(ferry.storageRoot().resolve("outside")).doesNotExist();
        assertThat(ferry.storageRoot().getParent().resolve("outside")).doesNotExist();
        if (result.exitCode() == 0) {
            assertThat(home.resolve("outside")).hasContent("mine");
        } else {
            assertThat(home.resolve("f")).hasContent("mine");
        }
    }

    @Test
    void symlinkPlantedOnDiskToOutsideCannotBeFollowed() throws IOException {
        OpenSshClient client = newUser();
        Path home = homeOf(client);
        Files.writeString(home.resolve("marker.txt"), "x");
        Files.createSymbolicLink(home.resolve("evil"), Path.of("/etc"));

        ExternalCommand.Result list = run(client, "ls evil/");
        ExternalCommand.Result get = run(client, "get evil/passwd p");
        ExternalCommand.Result cd = run(client, "cd evil", "ls");
        ExternalCommand.Result home1 = run(client, "ls -l");

        assertThat(list.exitCode()).as(list.output()).isNotZero();
        assertThat(list.output()).doesNotContain("passwd");
        assertThat(get.exitCode()).as(get.output()).isNotZero();
        assertThat(cd.output()).doesNotContain("passwd");
        assertNoSystemFileIn(local);
        // The home itself stays listable with the link in it.
        assertThat(home1.exitCode()).as(home1.output()).isZero();
        assertThat(home1.output()).contains("marker.txt");
        // Nor does any answer name what the link points at.
        try (SftpTestClient sftp = SftpTestClient.withKey(ferry.sftpPort(), user(client), key)) {
            assertThatThrownBy(() -> sftp.sftp().readLink("/evil")).isInstanceOf(SftpException.class);
            assertThatThrownBy(() -> sftp.sftp().canonicalPath("/evil/passwd")).isInstanceOf(SftpException.class);
            assertThat(sftp.sftp().canonicalPath("/evil/..")).isEqualTo("/");
        }
    }

    @Test
    void failuresReachOpenSshAsVersion3Statuses() throws IOException {
        OpenSshClient client = newUser();
        Path home = homeOf(client);
        Files.createDirectories(home.resolve("dir"));
        Files.writeString(home.resolve("dir/inside.txt"), "x");

        // "-" lets the batch go on after a failing command.
        ExternalCommand.Result result = run(client, "-mkdir dir", "-rm dir", "-rmdir dir", "-rename dir/inside.txt nodir/x",
                "-get nothing.txt", "-put /dev/null dir/inside.txt/x");

        assertThat(result.output().lines().filter(line -> line.startsWith("remote ") || line.contains(": "))
                .toList()).as(result.output()).isNotEmpty();
        assertThat(result.output()).as("v3 has no codes beyond OP_UNSUPPORTED").doesNotContain("Unknown status");
        assertThat(result.output()).contains("remote mkdir \"/dir\": Failure");
        assertThat(home.resolve("dir/inside.txt")).hasContent("x");
    }

    @Test
    void scpUploadsAndDownloadsWithExitStatusZero() throws IOException {
        OpenSshClient client = newUser();
        byte[] data = randomBytes(1024 * 1024 + 3);
        Files.write(local.resolve("up.bin"), data);

        ExternalCommand.Result up = scp(client, "up.bin", client.remote("scp.bin"));
        ExternalCommand.Result down = scp(client, client.remote("scp.bin"), "down.bin");

        assertThat(up.exitCode()).as(up.output()).isZero();
        assertThat(Files.readAllBytes(homeOf(client).resolve("scp.bin"))).isEqualTo(data);
        assertThat(down.exitCode()).as(down.output()).isZero();
        assertThat(Files.readAllBytes(local.resolve("down.bin"))).isEqualTo(data);
    }

    @Test
    void scpCopiesDirectoriesRecursivelyAndExpandsRemoteGlobs() throws IOException {
        OpenSshClient client = newUser();
        Path tree = Files.createDirectories(local.resolve("tree/sub"));
        Files.writeString(local.resolve("tree/a.txt"), "a");
        Files.writeString(tree.resolve("b.txt"), "b");
        Files.createDirectories(local.resolve("back"));

        ExternalCommand.Result up = scp(client, "-r", "tree", client.remote("copy"));
        ExternalCommand.Result down = scp(client, client.remote("copy/*.txt"), "back/");

        assertThat(up.exitCode()).as(up.output()).isZero();
        assertThat(homeOf(client).resolve("copy/a.txt")).hasContent("a");
        assertThat(homeOf(client).resolve("copy/sub/b.txt")).hasContent("b");
        assertThat(down.exitCode()).as(down.output()).isZero();
        assertThat(local.resolve("back/a.txt")).hasContent("a");
    }

    @Test
    void namesWithSpacesRoundTrip() throws IOException {
        OpenSshClient client = newUser();
        Files.writeString(local.resolve("local file.txt"), "spaces");

        ExternalCommand.Result result = run(client, "mkdir \"new dir\"", "put \"local file.txt\" \"new dir/remote file.txt\"",
                "get \"new dir/remote file.txt\" back.txt", "ls -1 \"new dir\"");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(homeOf(client).resolve("new dir/remote file.txt")).hasContent("spaces");
        assertThat(local.resolve("back.txt")).hasContent("spaces");
        assertThat(result.output()).contains("remote file.txt");
    }

    // ------------------------------------------------------------------------------------------

    private ExternalCommand.Result run(OpenSshClient client, String... commands) {
        ExternalCommand.Result result = client.sftpBatch(local, commands);
        outputs.add(result.output());
        return result;
    }

    private ExternalCommand.Result scp(OpenSshClient client, String... args) {
        ExternalCommand.Result result = client.scp(local, args);
        outputs.add(result.output());
        return result;
    }

    private final java.util.Map<OpenSshClient, String> users = new java.util.HashMap<>();

    /** A new user with the test key and its OpenSSH client. */
    private OpenSshClient newUser() {
        String username;
        synchronized (OpenSshClientIT.class) {
            username = "cli" + (++userCounter);
        }
        var response = admin.post("/api/v1/users", "{\"username\":\"" + username + "\",\"publicKeys\":["
                + AdminClient.quote(TestKeys.publicLine(key)) + "]}");
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        OpenSshClient client = new OpenSshClient(ferry.sftpPort(), username, keyFile);
        users.put(client, username);
        return client;
    }

    private String user(OpenSshClient client) {
        return users.get(client);
    }

    private Path homeOf(OpenSshClient client) throws IOException {
        Path home = ferry.homeOf(user(client));
        Files.createDirectories(home);
        return home;
    }

    /** No file under the directory holds the system's /etc/passwd. */
    private static void assertNoSystemFileIn(Path dir) throws IOException {
        String passwd = Files.readString(Path.of("/etc/passwd"), StandardCharsets.UTF_8);
        String firstLine = passwd.lines().findFirst().orElseThrow();
        try (var files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(file, StandardCharsets.ISO_8859_1)).as(file.toString()).doesNotContain(firstLine);
            }
        }
    }

    private static byte[] randomBytes(int size) {
        byte[] data = new byte[size];
        new SplittableRandom().nextBytes(data);
        return data;
    }
}
