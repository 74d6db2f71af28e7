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
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.StreamSupport;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.OpenMode;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Uploads are invisible under their final name until the client closes them. */
class StagedUploadIT {

    static FerryInstance ferry;
    static KeyPair key = TestKeys.ed25519();
    static Path home;

    @BeforeAll
    static void start() {
        ferry = FerryInstance.start();
        var created = ferry.admin().post("/api/v1/users",
                "{\"username\":\"stage\",\"publicKeys\":[" + AdminClient.quote(TestKeys.publicLine(key)) + "]}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        home = ferry.homeOf("stage");
    }

    @AfterAll
    static void stop() {
        ferry.close();
    }

    static SftpTestClient connect() throws Exception {
        return SftpTestClient.withKey(ferry.sftpPort(), "stage", key);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String readAll(SftpClient sftp, String path) throws Exception {
        try (InputStream in = sftp.read(path)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    static List<String> names(SftpClient sftp, String dir) throws Exception {
        return StreamSupport.stream(sftp.readDir(dir).spliterator(), false).map(SftpClient.DirEntry::getFilename).toList();
    }

    static Path stagingDir() {
        return ferry.storageRoot().resolve(".ferry-staging");
    }

    @Test
    void newFileAppearsOnlyWhenTheClientClosesIt() throws Exception {
        try (SftpTestClient writer = connect(); SftpTestClient reader = connect()) {
            SftpClient.CloseableHandle handle = writer.sftp().open("/new.txt", OpenMode.Write, OpenMode.Create, OpenMode.Truncate);
            writer.sftp().write(handle, 0, bytes("first half "));
            writer.sftp().write(handle, 11, bytes("second half"));

            assertThat(Files.exists(home.resolve("new.txt"))).isFalse();
            assertThat(names(reader.sftp(), "/")).doesNotContain("new.txt");
            assertThatThrownBy(() -> reader.sftp().stat("/new.txt"))
                    .isInstanceOfSatisfying(SftpException.class, e -> assertThat(e.getStatus()).isEqualTo(SftpConstants.SSH_FX_NO_SUCH_FILE));
            // The writer's own handle sees what it wrote so far.
            assertThat(writer.sftp().stat(handle).getSize()).isEqualTo(22);

            handle.close();
            assertThat(readAll(reader.sftp(), "/new.txt")).isEqualTo("first half second half");
            assertThat(Files.readString(home.resolve("new.txt"))).isEqualTo("first half second half");
        }
    }

    @Test
    void overwriteKeepsTheOldContentReadableUntilClose() throws Exception {
        Files.writeString(home.resolve("report.csv"), "old version");
        try (SftpTestClient writer = connect(); SftpTestClient reader = connect()) {
            SftpClient.CloseableHandle handle = writer.sftp().open("/report.csv", OpenMode.Write, OpenMode.Create, OpenMode.Truncate);
            writer.sftp().write(handle, 0, bytes("new version, longer"));
            assertThat(readAll(reader.sftp(), "/report.csv")).isEqualTo("old version");
            handle.close();
            assertThat(readAll(reader.sftp(), "/report.csv")).isEqualTo("new version, longer");
        }
    }

    @Test
    void droppedConnectionLeavesNothingUnderTheNameAndKeepsTheOldVersion() throws Exception {
        Files.writeString(home.resolve("kept.txt"), "previous");
        SftpTestClient writer = connect();
        SftpClient.CloseableHandle fresh = writer.sftp().open("/dropped.txt", OpenMode.Write, OpenMode.Create);
        writer.sftp().write(fresh, 0, bytes("partial"));
        SftpClient.CloseableHandle over = writer.sftp().open("/kept.txt", OpenMode.Write, OpenMode.Truncate);
        writer.sftp().write(over, 0, bytes("partial overwrite"));
        writer.session().close(true); // the connection drops without CLOSE

        waitUntil(() -> isEmpty(stagingDir()), Duration.ofSeconds(10));
        assertThat(Files.exists(home.resolve("dropped.txt"))).isFalse();
        assertThat(Files.readString(home.resolve("kept.txt"))).isEqualTo("previous");
    }

    @Test
    void appendAndWritesWithoutTruncateStartFromTheExistingContent() throws Exception {
        Files.writeString(home.resolve("log.txt"), "line1\n");
        try (SftpTestClient client = connect()) {
            try (SftpClient.CloseableHandle handle = client.sftp().open("/log.txt", OpenMode.Write, OpenMode.Append)) {
                client.sftp().write(handle, 0, bytes("line2\n"));
            }
            assertThat(Files.readString(home.resolve("log.txt"))).isEqualTo("line1\nline2\n");
            // A resume (reput) writes at the remote size without truncating.
            try (SftpClient.CloseableHandle handle = client.sftp().open("/log.txt", OpenMode.Write)) {
                client.sftp().write(handle, 12, bytes("line3\n"));
            }
            assertThat(Files.readString(home.resolve("log.txt"))).isEqualTo("line1\nline2\nline3\n");
        }
    }

    @Test
    void exclusiveCreateRefusesAnExistingName() throws Exception {
        Files.writeString(home.resolve("taken.txt"), "mine");
        try (SftpTestClient client = connect()) {
            assertThatThrownBy(() -> client.sftp().open("/taken.txt", OpenMode.Write, OpenMode.Create, OpenMode.Exclusive))
                    .isInstanceOfSatisfying(SftpException.class,
                            e -> assertThat(e.getStatus()).isIn(SftpConstants.SSH_FX_FILE_ALREADY_EXISTS, SftpConstants.SSH_FX_FAILURE));
            assertThat(Files.readString(home.resolve("taken.txt"))).isEqualTo("mine");
        }
    }

    @Test
    void timesAndModeSetOnTheOpenHandleSurviveThePublish() throws Exception {
        Instant mtime = Instant.parse("2020-01-02T03:04:05Z");
        try (SftpTestClient client = connect()) {
            try (SftpClient.CloseableHandle handle = client.sftp().open("/dated.txt", OpenMode.Write, OpenMode.Create, OpenMode.Truncate)) {
                client.sftp().write(handle, 0, bytes("x"));
                SftpClient.Attributes attrs = new SftpClient.Attributes();
                attrs.modifyTime(FileTime.from(mtime));
                attrs.accessTime(FileTime.from(mtime));
                attrs.setPermissions(0640);
                client.sftp().setStat(handle, attrs);
            }
            SftpClient.Attributes stat = client.sftp().stat("/dated.txt");
            assertThat(stat.getModifyTime().toInstant()).isEqualTo(mtime);
            assertThat(stat.getPermissions() & 0777).isEqualTo(0640);
        }
    }

    @Test
    void writingToADirectoryNameFailsAndStagesNothing() throws Exception {
        Files.createDirectories(home.resolve("adir"));
        try (SftpTestClient client = connect()) {
            assertThatThrownBy(() -> client.sftp().open("/adir", OpenMode.Write, OpenMode.Create)).isInstanceOf(SftpException.class);
            assertThatThrownBy(() -> client.sftp().open("/missing/dir/file", OpenMode.Write, OpenMode.Create))
                    .isInstanceOfSatisfying(SftpException.class, e -> assertThat(e.getStatus()).isEqualTo(SftpConstants.SSH_FX_NO_SUCH_FILE));
        }
        waitUntil(() -> isEmpty(stagingDir()), Duration.ofSeconds(5));
    }

    static boolean isEmpty(Path dir) {
        try (var files = Files.list(dir)) {
            return files.findAny().isEmpty();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void waitUntil(java.util.function.BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            Thread.sleep(50);
        }
    }

}
