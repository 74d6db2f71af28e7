package dev.ferry.sftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.stream.StreamSupport;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.OpenMode;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHStatExtensionInfo;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHStatPathExtension;
import org.apache.sshd.sftp.common.SftpException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Nothing outside a user's home can be named, read, written or linked to. */
class ConfinementIT {

    static FerryInstance ferry;
    static KeyPair key = TestKeys.ed25519();
    static Path home;
    static Path outside;

    @BeforeAll
    static void start() throws Exception {
        ferry = FerryInstance.start();
        for (String user : List.of("jail", "neighbour")) {
            var created = ferry.admin().post("/api/v1/users",
                    "{\"username\":\"" + user + "\",\"publicKeys\":[" + AdminClient.quote(TestKeys.publicLine(key)) + "]}");
            assertThat(created.status()).as(created.body()).isEqualTo(201);
        }
        home = ferry.homeOf("jail");
        Files.writeString(ferry.homeOf("neighbour").resolve("secret.txt"), "neighbour's secret");
        outside = Files.createTempDirectory("ferry-outside");
        Files.writeString(outside.resolve("secret.txt"), "outside secret");
        Files.writeString(home.resolve("inside.txt"), "inside");
    }

    @AfterAll
    static void stop() {
        ferry.close();
    }

    static SftpTestClient connect() throws Exception {
        return SftpTestClient.withKey(ferry.sftpPort(), "jail", key);
    }

    static String read(SftpClient sftp, String path) throws Exception {
        try (InputStream in = sftp.read(path)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void realpathStaysAtTheVirtualRootAndNeverNamesTheDisk() throws Exception {
        try (SftpTestClient client = connect()) {
            SftpClient sftp = client.sftp();
            assertThat(sftp.canonicalPath(".")).isEqualTo("/");
            assertThat(sftp.canonicalPath("..")).isEqualTo("/");
            assertThat(sftp.canonicalPath("/../../..")).isEqualTo("/");
            assertThat(sftp.canonicalPath("../../etc/passwd")).isEqualTo("/etc/passwd");
            assertThat(sftp.canonicalPath(home.toString())).doesNotStartWith(home.toString() + "/").startsWith("/");
        }
    }

    @Test
    void dotDotAndAbsolutePathsResolveInsideTheHome() throws Exception {
        try (SftpTestClient client = connect()) {
            SftpClient sftp = client.sftp();
            assertThat(read(sftp, "/../../inside.txt")).isEqualTo("inside");
            assertThatThrownBy(() -> read(sftp, "/../neighbour/secret.txt")).isInstanceOf(SftpException.class);
            assertThatThrownBy(() -> read(sftp, "../../etc/passwd")).isInstanceOf(SftpException.class);
            assertThatThrownBy(() -> read(sftp, outside.resolve("secret.txt").toString())).isInstanceOf(SftpException.class);
            List<String> rootNames = StreamSupport.stream(sftp.readDir("/..").spliterator(), false)
                    .map(SftpClient.DirEntry::getFilename).toList();
            assertThat(rootNames).contains("inside.txt").doesNotContain("neighbour", ".ferry-staging");
        }
    }

    @Test
    void symlinksThatLeaveTheHomeCannotBeCreated() throws Exception {
        try (SftpTestClient client = connect()) {
            SftpClient sftp = client.sftp();
            assertThatThrownBy(() -> sftp.symLink("/up", "../../..")).isInstanceOf(SftpException.class);
            assertThatThrownBy(() -> sftp.symLink("/up2", "sub/../../..")).isInstanceOf(SftpException.class);
            assertThat(Files.exists(home.resolve("up"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();

            // An absolute target is a path of the home, stored as a relative link.
            sftp.symLink("/abs", outside.resolve("secret.txt").toString());
            assertThat(Files.readSymbolicLink(home.resolve("abs")).isAbsolute()).isFalse();
            assertThatThrownBy(() -> read(sftp, "/abs")).isInstanceOf(SftpException.class);

            sftp.symLink("/good", "inside.txt");
            assertThat(read(sftp, "/good")).isEqualTo("inside");
            assertThat(sftp.readLink("/good")).isEqualTo("inside.txt");
        }
    }

    @Test
    void escapingLinksPlantedOnDiskAreNotFollowed() throws Exception {
        Files.createSymbolicLink(home.resolve("evil-dir"), outside);
        Files.createSymbolicLink(home.resolve("evil-file"), outside.resolve("secret.txt"));
        try (SftpTestClient client = connect()) {
            SftpClient sftp = client.sftp();
            assertThatThrownBy(() -> read(sftp, "/evil-file")).isInstanceOf(SftpException.class);
            assertThatThrownBy(() -> read(sftp, "/evil-dir/secret.txt")).isInstanceOf(SftpException.class);
            assertThatThrownBy(() -> sftp.readDir("/evil-dir").iterator().hasNext()).hasMessageContaining("Permission denied");
            assertThatThrownBy(() -> sftp.stat("/evil-file")).isInstanceOf(SftpException.class);
            assertThatThrownBy(() -> {
                try (SftpClient.CloseableHandle h = sftp.open("/evil-dir/new.txt", OpenMode.Write, OpenMode.Create)) {
                    sftp.write(h, 0, "x".getBytes(StandardCharsets.UTF_8));
                }
            }).isInstanceOf(SftpException.class);
            assertThatThrownBy(() -> sftp.rename("/inside.txt", "/evil-dir/moved.txt")).isInstanceOf(SftpException.class);
            // The link itself can still be seen and removed.
            assertThat(sftp.lstat("/evil-file").isSymbolicLink()).isTrue();
            sftp.remove("/evil-file");
        }
        assertThat(Files.readString(outside.resolve("secret.txt"))).isEqualTo("outside secret");
        assertThat(Files.exists(outside.resolve("new.txt"))).isFalse();
        assertThat(Files.exists(outside.resolve("moved.txt"))).isFalse();
    }

    @Test
    void readlinkAnswersTheTargetAsTheClientGaveItWhileWhatIsStoredStaysInTheHome() throws Exception {
        var created = ferry.admin().post("/api/v1/users",
                "{\"username\":\"links\",\"publicKeys\":[" + AdminClient.quote(TestKeys.publicLine(key)) + "]}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        Path links = ferry.homeOf("links");
        Files.createDirectories(links.resolve("d/sub"));
        Files.writeString(links.resolve("d/target"), "target");
        Files.writeString(links.resolve("top.txt"), "top");
        Path work = Files.createTempDirectory("ferry-links");
        Path keyFile = TestKeys.writePrivateKey(key, work);

        // OpenSSH's ln -s sends the target as typed; paramiko and MINA's client send what they are given.
        var openSsh = new dev.ferry.testsupport.OpenSshClient(ferry.sftpPort(), "links", keyFile)
                .sftpBatch(work, "ln -s /d/target /d/abs-openssh", "ln -s target /d/rel-openssh");
        assertThat(openSsh.exitCode()).as(openSsh.output()).isZero();
        var paramiko = new dev.ferry.testsupport.Paramiko(ferry.sftpPort(), "links", keyFile);
        var made = paramiko.run(work, List.of("symlink", "/d/target", "/d/abs-paramiko"),
                List.of("symlink", "../../top.txt", "/d/sub/rel-paramiko"), List.of("symlink", "/top.txt", "/d/sub/abs-paramiko"),
                List.of("symlink", "/", "/root-link"));
        assertThat(made).allSatisfy(step -> assertThat(step.ok()).as(step.error()).isTrue());
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "links", key)) {
            client.sftp().symLink("/d/sub/abs-mina", "/d/target");
            client.sftp().symLink("/d/sub/rel-mina", "../target");
        }
        var answers = java.util.Map.of("/d/abs-openssh", "/d/target", "/d/rel-openssh", "target", "/d/abs-paramiko", "/d/target",
                "/d/sub/rel-paramiko", "../../top.txt", "/d/sub/abs-paramiko", "/top.txt", "/root-link", "/",
                "/d/sub/abs-mina", "/d/target", "/d/sub/rel-mina", "../target");
        assertReadlink(paramiko, work, answers);

        // On disk every link is relative, resolves inside the home, and leads where the client meant.
        for (String link : answers.keySet()) {
            Path onDisk = links.resolve(link.substring(1));
            assertThat(Files.readSymbolicLink(onDisk).isAbsolute()).as(link).isFalse();
            assertThat(onDisk.toRealPath()).as(link).startsWith(links);
        }
        assertThat(Files.readString(links.resolve("d/abs-openssh"))).isEqualTo("target");
        assertThat(Files.readString(links.resolve("d/sub/rel-paramiko"))).isEqualTo("top");
        assertThat(Files.readString(links.resolve("d/sub/abs-mina"))).isEqualTo("target");
        assertThat(links.resolve("root-link").toRealPath()).isEqualTo(links.toRealPath());
        var got = paramiko.one(work, "get", "/d/sub/abs-paramiko", "through-link.txt");
        assertThat(got.ok()).as(got.error()).isTrue();
        assertThat(Files.readString(work.resolve("through-link.txt"))).isEqualTo("top");

        // Renaming the links' directory (same depth): an absolute link still names /d/target, which
        // is gone now, as on any POSIX file system; a relative one moves along with its target.
        var renamed = paramiko.one(work, "rename", "/d", "/e");
        assertThat(renamed.ok()).as(renamed.error()).isTrue();
        assertReadlink(paramiko, work, java.util.Map.of("/e/abs-paramiko", "/d/target", "/e/rel-openssh", "target",
                "/e/sub/rel-mina", "../target", "/e/sub/abs-paramiko", "/top.txt"));
        assertThat(paramiko.one(work, "stat", "/e/abs-paramiko").ok()).isFalse();
        assertThat(paramiko.one(work, "stat", "/e/rel-openssh").result().asLong()).isEqualTo(6);

        // Links planted on disk by other programs: one naming a file of the home by its on-disk path
        // is answered as a path of the home; one leading outside is not followed, nor its target shown.
        Files.createSymbolicLink(links.resolve("planted-inside"), links.resolve("top.txt"));
        Files.createSymbolicLink(links.resolve("planted-outside"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(links.resolve("planted-climbing"), Path.of("../../../../../../etc/passwd"));
        var planted = paramiko.run(work, List.of("readlink", "/planted-inside"), List.of("readlink", "/planted-outside"),
                List.of("readlink", "/planted-climbing"));
        assertThat(planted.get(0).text()).isEqualTo("/top.txt");
        assertThat(planted.get(1).ok()).isFalse();
        assertThat(planted.get(1).error()).doesNotContain(outside.toString());
        assertThat(planted.get(2).ok()).isFalse();
        // A target outside the home is refused, whatever its form.
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "links", key)) {
            assertThatThrownBy(() -> client.sftp().symLink("/e/sub/up", "../../..")).isInstanceOf(SftpException.class);
            assertThatThrownBy(() -> client.sftp().symLink("/up", "/../etc")).isInstanceOf(SftpException.class);
        }
        assertThat(Files.exists(links.resolve("e/sub/up"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
    }

    /** READLINK through paramiko and MINA's client answers each link's target exactly. */
    static void assertReadlink(dev.ferry.testsupport.Paramiko paramiko, Path work, java.util.Map<String, String> answers)
            throws Exception {
        List<String> links = List.copyOf(answers.keySet());
        @SuppressWarnings("unchecked")
        List<String>[] steps = links.stream().map(link -> List.of("readlink", link)).toArray(List[]::new);
        var read = paramiko.run(work, steps);
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "links", key)) {
            for (int i = 0; i < links.size(); i++) {
                assertThat(read.get(i).text()).as("paramiko readlink " + links.get(i)).isEqualTo(answers.get(links.get(i)));
                assertThat(client.sftp().readLink(links.get(i))).as("readlink " + links.get(i)).isEqualTo(answers.get(links.get(i)));
            }
        }
    }

    @Test
    void renameAndHardlinkStayInsideTheHome() throws Exception {
        Files.writeString(home.resolve("mv.txt"), "moving");
        try (SftpTestClient client = connect()) {
            SftpClient sftp = client.sftp();
            sftp.rename("/mv.txt", "../../../mv-outside.txt");
            assertThat(Files.readString(home.resolve("mv-outside.txt"))).isEqualTo("moving");
            assertThat(Files.exists(ferry.storageRoot().resolve("mv-outside.txt"))).isFalse();
        }
        // Hard links (hardlink@openssh.com, OpenSSH sftp's "ln") only link files of the home.
        Path work = Files.createTempDirectory("ferry-ln");
        var cli = new dev.ferry.testsupport.OpenSshClient(ferry.sftpPort(), "jail", dev.ferry.testsupport.TestKeys.writePrivateKey(key, work));
        assertThat(cli.sftpBatch(work, "ln /../neighbour/secret.txt /stolen.txt").exitCode()).isNotZero();
        assertThat(cli.sftpBatch(work, "ln " + outside.resolve("secret.txt") + " /stolen2.txt").exitCode()).isNotZero();
        assertThat(Files.exists(home.resolve("stolen.txt"))).isFalse();
        assertThat(Files.exists(home.resolve("stolen2.txt"))).isFalse();
        var ok = cli.sftpBatch(work, "ln /inside.txt /inside-link.txt");
        assertThat(ok.exitCode()).as(ok.output()).isZero();
        assertThat(Files.readString(home.resolve("inside-link.txt"))).isEqualTo("inside");
    }

    @Test
    void dfAnswersStatvfs() throws Exception {
        try (SftpTestClient client = connect()) {
            OpenSSHStatPathExtension statvfs = client.sftp().getExtension(OpenSSHStatPathExtension.class);
            assertThat(statvfs.isSupported()).isTrue();
            OpenSSHStatExtensionInfo info = statvfs.stat("/");
            assertThat(info.f_bsize).isPositive();
            assertThat(info.f_blocks).isPositive();
            assertThat(info.f_bavail).isBetween(0L, info.f_blocks);
            assertThat(info.f_flag & OpenSSHStatExtensionInfo.SSH_FXE_STATVFS_ST_NOSUID).isNotZero();
        }
    }

    @Test
    void ownerAndGroupCannotBeChanged() throws Exception {
        try (SftpTestClient client = connect()) {
            SftpClient.Attributes attrs = new SftpClient.Attributes();
            attrs.owner(0, 0);
            assertThatThrownBy(() -> client.sftp().setStat("/inside.txt", attrs)).isInstanceOf(SftpException.class);
        }
    }
}
