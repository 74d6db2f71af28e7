package dev.ferry.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.OpenSshClient;
import dev.ferry.testsupport.Paramiko;
import dev.ferry.testsupport.RawSftp;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Per-path permissions with real clients: refusals name the missing permission and change nothing. */
class AccessControlIT {

    static FerryInstance ferry;
    static KeyPair key = TestKeys.ed25519();
    static Path work;
    static Path keyFile;

    @BeforeAll
    static void start() throws Exception {
        ferry = FerryInstance.start();
        work = Files.createTempDirectory("ferry-acl");
        keyFile = TestKeys.writePrivateKey(key, work);
        Files.writeString(work.resolve("report.csv"), "a,b\n1,2\n");
    }

    @AfterAll
    static void stop() {
        ferry.close();
    }

    static void createUser(String username, String permissionsJson) {
        var created = ferry.admin().post("/api/v1/users", "{\"username\":\"" + username + "\",\"publicKeys\":["
                + AdminClient.quote(TestKeys.publicLine(key)) + "],\"permissions\":" + permissionsJson + "}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
    }

    static OpenSshClient cli(String username) {
        return new OpenSshClient(ferry.sftpPort(), username, keyFile);
    }

    @Test
    void dropBoxAcceptsPutButRefusesListingAndDownload() throws Exception {
        createUser("dropbox", "{\"/\":[\"upload\"]}");
        var put = cli("dropbox").sftpBatch(work, "put report.csv");
        assertThat(put.exitCode()).as(put.output()).isZero();
        assertThat(Files.readString(ferry.homeOf("dropbox").resolve("report.csv"))).isEqualTo("a,b\n1,2\n");

        var ls = cli("dropbox").sftpBatch(work, "ls -l");
        // OpenSSH's sftp reports a refused listing but does not end the batch for it.
        assertThat(ls.output()).containsIgnoringCase("permission denied").doesNotContain("report.csv");

        var get = cli("dropbox").sftpBatch(work, "get report.csv fetched.csv");
        assertThat(get.exitCode()).isNotZero();
        assertThat(work.resolve("fetched.csv")).doesNotExist();

        // The drop box cannot replace what was delivered (no overwrite) nor delete it.
        var again = cli("dropbox").sftpBatch(work, "put report.csv");
        assertThat(again.exitCode()).isNotZero();
        var rm = cli("dropbox").sftpBatch(work, "rm report.csv");
        assertThat(rm.exitCode()).isNotZero();
        assertThat(ferry.homeOf("dropbox").resolve("report.csv")).exists();
    }

    @Test
    void readOnlyUserDownloadsButCannotChangeAnything() throws Exception {
        createUser("reader", "{\"/\":[\"list\",\"download\"]}");
        Path home = ferry.homeOf("reader");
        Files.writeString(home.resolve("published.txt"), "for partners");
        Files.createDirectories(home.resolve("dir"));
        var get = cli("reader").sftpBatch(work, "ls -l", "get published.txt reader-copy.txt");
        assertThat(get.exitCode()).as(get.output()).isZero();
        assertThat(Files.readString(work.resolve("reader-copy.txt"))).isEqualTo("for partners");

        for (String refused : new String[] {"put report.csv", "rm published.txt", "mkdir newdir", "rmdir dir",
                "rename published.txt moved.txt", "chmod 600 published.txt", "ln -s published.txt link"}) {
            var result = cli("reader").sftpBatch(work, refused);
            assertThat(result.exitCode()).as(refused + ": " + result.output()).isNotZero();
        }
        assertThat(Files.readString(home.resolve("published.txt"))).isEqualTo("for partners");
        assertThat(home.resolve("report.csv")).doesNotExist();
        assertThat(home.resolve("newdir")).doesNotExist();
        assertThat(home.resolve("dir")).isDirectory();
        assertThat(home.resolve("moved.txt")).doesNotExist();
        assertThat(home.resolve("link")).doesNotExist();
    }

    @Test
    void refusalNamesTheMissingPermissionAndPath() throws Exception {
        createUser("named", "{\"/\":[\"list\",\"download\"],\"/inbox\":[\"list\",\"upload\"]}");
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "named", key)) {
            assertThatThrownBy(() -> client.sftp().mkdir("/newdir"))
                    .isInstanceOfSatisfying(SftpException.class, e -> {
                        assertThat(e.getStatus()).isEqualTo(SftpConstants.SSH_FX_PERMISSION_DENIED);
                        assertThat(e.getMessage()).contains("'mkdir'").contains("/newdir");
                    });
            Files.createDirectories(ferry.homeOf("named").resolve("inbox"));
            client.put("/inbox/new.txt", "x".getBytes());
            // /inbox has no download: the longer rule wins over "/".
            assertThatThrownBy(() -> client.sftp().read("/inbox/new.txt").read())
                    .hasMessageContaining("'download' is not granted on /inbox/new.txt");
        }
    }

    @Test
    void overwriteAndDeleteAreSeparateFromUpload() throws Exception {
        createUser("uploader", "{\"/\":[\"list\",\"download\",\"upload\"]}");
        Path home = ferry.homeOf("uploader");
        Files.writeString(home.resolve("report.csv"), "original");
        var overwrite = cli("uploader").sftpBatch(work, "put report.csv");
        assertThat(overwrite.exitCode()).isNotZero();
        assertThat(overwrite.output()).containsIgnoringCase("permission denied");
        assertThat(Files.readString(home.resolve("report.csv"))).isEqualTo("original");
        var delete = cli("uploader").sftpBatch(work, "rm report.csv");
        assertThat(delete.exitCode()).isNotZero();
        assertThat(home.resolve("report.csv")).exists();
        var fresh = cli("uploader").sftpBatch(work, "put report.csv fresh.csv");
        assertThat(fresh.exitCode()).as(fresh.output()).isZero();
    }

    @Test
    void renameNeedsThePermissionAtSourceAndTarget() throws Exception {
        createUser("mover", "{\"/\":[\"list\",\"download\"],\"/in\":[\"*\"],\"/out\":[\"list\"]}");
        Path home = ferry.homeOf("mover");
        Files.createDirectories(home.resolve("in"));
        Files.createDirectories(home.resolve("out"));
        Files.writeString(home.resolve("in/a.txt"), "a");
        var refused = cli("mover").sftpBatch(work, "rename in/a.txt out/a.txt");
        assertThat(refused.exitCode()).isNotZero();
        assertThat(home.resolve("in/a.txt")).exists();
        assertThat(home.resolve("out/a.txt")).doesNotExist();
        var allowed = cli("mover").sftpBatch(work, "rename in/a.txt in/b.txt");
        assertThat(allowed.exitCode()).as(allowed.output()).isZero();
        assertThat(home.resolve("in/b.txt")).exists();
    }

    @Test
    void aLinkDoesNotLendTheRightsOfItsTarget() throws Exception {
        createUser("linker", "{\"/\":[\"*\"],\"/private\":[\"list\"]}");
        Path home = ferry.homeOf("linker");
        Files.createDirectories(home.resolve("private"));
        Files.writeString(home.resolve("private/secret.txt"), "secret");
        // A link planted by someone else (or made before the rule) still cannot be read through.
        Files.createSymbolicLink(home.resolve("public-link"), Path.of("private/secret.txt"));
        var get = cli("linker").sftpBatch(work, "get public-link leaked.txt");
        assertThat(get.exitCode()).isNotZero();
        assertThat(work.resolve("leaked.txt")).doesNotExist();
        // Nor can a new link into the restricted subtree be made.
        var ln = cli("linker").sftpBatch(work, "ln -s private/secret.txt another-link");
        assertThat(ln.exitCode()).isNotZero();
    }

    static int mode(Path path) throws java.io.IOException {
        return (Integer) Files.getAttribute(path, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    @Test
    void theModeAndTimesSentWithMkdirArePartOfMakingTheDirectory() throws Exception {
        createUser("maker", "{\"/\":[\"list\",\"upload\",\"mkdir\"]}");
        Path home = ferry.homeOf("maker");
        // paramiko's mkdir sends the mode (0777 unless told otherwise); OpenSSH's mkdir sends 0777.
        var paramiko = new Paramiko(ferry.sftpPort(), "maker", keyFile)
                .run(work, List.of("mkdir", "/py"), List.of("mkdir", "/py-private", "700"));
        assertThat(paramiko).allSatisfy(step -> assertThat(step.ok()).as(step.error()).isTrue());
        var openSsh = cli("maker").sftpBatch(work, "mkdir /openssh");
        assertThat(openSsh.exitCode()).as(openSsh.output()).isZero();
        // As mkdir(2) under umask 022 (OpenSSH's sftp-server): no write for group and others at creation.
        assertThat(mode(home.resolve("py"))).isEqualTo(0755);
        assertThat(mode(home.resolve("py-private"))).isEqualTo(0700);
        assertThat(mode(home.resolve("openssh"))).isEqualTo(0755);

        // OpenSSH's put -r -p sends the directory's mode and times with MKDIR and sets its times again once filled.
        Path tree = Files.createDirectories(work.resolve("tree/sub"));
        Files.writeString(tree.resolve("f.txt"), "f");
        java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.fromMillis(1_400_000_000_000L);
        Files.setLastModifiedTime(tree, old);
        Files.setLastModifiedTime(tree.getParent(), old);
        var putTree = cli("maker").sftpBatch(work, "put -r -p tree /tree");
        assertThat(putTree.exitCode()).as(putTree.output()).isZero();
        assertThat(Files.readString(home.resolve("tree/sub/f.txt"))).isEqualTo("f");
        assertThat(Files.getLastModifiedTime(home.resolve("tree/sub"))).isEqualTo(old);

        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "maker", key)) {
            RawSftp raw = new RawSftp(client.sftp());
            // setuid and setgid bits are never set, whatever the request carries.
            assertThat(raw.send(SftpConstants.SSH_FXP_MKDIR, "/suid", RawSftp.Attrs.mode(06750)).ok()).isTrue();
            assertThat(mode(home.resolve("suid"))).isEqualTo(0750);
            // An owner or group is refused before anything is made, and the refusal is audited.
            var owned = raw.send(SftpConstants.SSH_FXP_MKDIR, "/owned", RawSftp.Attrs.mode(0755).withOwner(0, 0));
            assertThat(owned.denied()).as(owned.toString()).isTrue();
            assertThat(owned.message()).contains("owner or group");
            assertThat(home.resolve("owned")).doesNotExist();
            // A directory it did not just make is still not the user's to chmod.
            Files.createDirectories(home.resolve("given"));
            var chmod = cli("maker").sftpBatch(work, "chmod 700 /given");
            assertThat(chmod.exitCode()).isNotZero();
            assertThat(chmod.output()).contains("ermission denied");
        }
        awaitAudit("maker", "DENIED", "/owned");
    }

    @Test
    void theModeSentWithOpenAppliesWhenItCreatesTheFileNotWhenItReplacesIt() throws Exception {
        createUser("moder", "{\"/\":[\"*\"]}");
        Path file = ferry.homeOf("moder").resolve("f.txt");
        int createTruncate = SftpConstants.SSH_FXF_WRITE | SftpConstants.SSH_FXF_CREAT | SftpConstants.SSH_FXF_TRUNC;
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "moder", key)) {
            RawSftp raw = new RawSftp(client.sftp());
            var created = raw.send(SftpConstants.SSH_FXP_OPEN, "/f.txt", createTruncate, RawSftp.Attrs.mode(06666));
            assertThat(raw.close(created.handle()).ok()).isTrue();
            assertThat(mode(file)).isEqualTo(0644);
            client.sftp().setStat("/f.txt", new org.apache.sshd.sftp.client.SftpClient.Attributes().perms(0600));
            var replaced = raw.send(SftpConstants.SSH_FXP_OPEN, "/f.txt", createTruncate, RawSftp.Attrs.mode(0644));
            assertThat(raw.close(replaced.handle()).ok()).isTrue();
            assertThat(mode(file)).isEqualTo(0600);
        }
    }

    /** Waits for an audit record of the user with this type and path (records are written in batches). */
    static void awaitAudit(String username, String type, String path) throws InterruptedException {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
        while (true) {
            var page = ferry.admin().get("/api/v1/audit?username=" + username + "&type=" + type + "&size=200").json();
            for (var record : page.get("content")) {
                if (path.equals(record.get("path").asString())) {
                    return;
                }
            }
            assertThat(System.nanoTime()).as("a " + type + " record of " + path + " in " + page).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    @Test
    void setstatIsNotNeededForTheSessionsOwnUpload() throws Exception {
        createUser("stamper", "{\"/\":[\"list\",\"upload\"]}");
        Files.setLastModifiedTime(work.resolve("report.csv"), java.nio.file.attribute.FileTime.fromMillis(1_500_000_000_000L));
        var put = cli("stamper").sftpBatch(work, "put -p report.csv stamped.csv");
        assertThat(put.exitCode()).as(put.output()).isZero();
        assertThat(Files.getLastModifiedTime(ferry.homeOf("stamper").resolve("stamped.csv")).toMillis()).isEqualTo(1_500_000_000_000L);
        var chmod = cli("stamper").sftpBatch(work, "chmod 600 stamped.csv");
        assertThat(chmod.exitCode()).as("another session's chmod is a setstat like any other").isNotZero();
    }
}
