package dev.ferry.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.ExternalCommand;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.OpenSshClient;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.TestPostgres;
import dev.ferry.testsupport.TestS3;
import dev.ferry.testsupport.Users;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.OpenMode;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * What only S3 homes do: multipart uploads that publish nothing before CLOSE, resuming an upload
 * whose client was killed (with {@code resume-interrupted-uploads} on, as here), the bounded out-of-order window, paged listings, the object's ETag in
 * the audit, and abandoned uploads aborted. Against a real S3 API server (S3Proxy or MinIO).
 */
class S3StorageIT {

    static final int PART = 8 * 1024 * 1024;

    static FerryInstance ferry;
    static AdminClient admin;
    static TestS3 s3;
    static String bucket;
    static KeyPair key;
    static Path keyFile;
    static final AtomicInteger users = new AtomicInteger();

    @TempDir
    Path local;

    @BeforeAll
    static void start() throws IOException {
        s3 = TestS3.get();
        bucket = s3.newBucket();
        Map<String, String> settings = new java.util.HashMap<>(s3.ferrySettings(bucket));
        settings.put("sftp.storage.s3.resume-interrupted-uploads", "true");
        settings.put("sftp.storage.s3.pending-retention", "3s");
        settings.put("sftp.storage.s3.pending-check", "PT1S");
        settings.put("sftp.storage.s3.times-check", "PT1S");
        settings.put("sftp.storage.s3.copy-in-parts-above", "6MB"); // renames of bigger files use multipart copy
        ferry = FerryInstance.start(TestPostgres.get().newDatabase(), FerryInstance.tempDir("ferry-files"), settings);
        admin = ferry.admin();
        key = TestKeys.ed25519();
        keyFile = TestKeys.writePrivateKey(key, FerryInstance.tempDir("ferry-s3-key"));
    }

    @AfterAll
    static void stop() {
        ferry.close();
    }

    static String newUser() {
        String name = "s3user" + users.incrementAndGet();
        Users.create(admin, name, key, "\"storage\":{\"type\":\"s3\"}");
        return name;
    }

    static List<String> keys(String prefix) {
        List<String> keys = new ArrayList<>();
        for (S3Object object : s3.client().listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
            keys.add(object.key());
        }
        return keys;
    }

    static JdbcTemplate db() {
        return ferry.bean(JdbcTemplate.class);
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void theObjectAppearsOnlyWhenTheClientClosesTheFile() throws IOException {
        String user = newUser();
        byte[] bytes = random(2 * PART + 1000, 1);
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), user, key)) {
            SftpClient sftp = client.sftp();
            SftpClient.CloseableHandle handle = sftp.open("/report.csv", EnumSet.of(OpenMode.Write, OpenMode.Create, OpenMode.Truncate));
            for (int offset = 0; offset < bytes.length; offset += 32 * 1024) {
                sftp.write(handle, offset, bytes, offset, Math.min(32 * 1024, bytes.length - offset));
            }
            awaitTrue(() -> db().queryForObject("select count(*) from s3_upload_parts", Integer.class) >= 2, "two parts sent");
            assertThat(keys(user + "/")).as("nothing under the key before CLOSE").doesNotContain(user + "/report.csv");
            handle.close();
        }
        assertThat(keys(user + "/")).contains(user + "/report.csv");
        byte[] stored = s3.client().getObjectAsBytes(b -> b.bucket(bucket).key(user + "/report.csv")).asByteArray();
        assertThat(stored).isEqualTo(bytes);
        assertThat(db().queryForObject("select count(*) from s3_uploads", Integer.class)).isZero();
    }

    /**
     * sshfs's ftruncate on a handle being written: below bytes already sent to S3 it is refused
     * with SSH_FX_OP_UNSUPPORTED and changes nothing, and the upload goes on to a byte-exact object.
     */
    @Test
    void truncatingBelowWhatWasSentIsRefusedAndTheUploadGoesOn() throws IOException {
        String user = newUser();
        byte[] bytes = random(2 * PART + 5000, 9);
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), user, key)) {
            SftpClient sftp = client.sftp();
            SftpClient.CloseableHandle handle = sftp.open("/cut.bin", EnumSet.of(OpenMode.Write, OpenMode.Create, OpenMode.Truncate));
            sftp.write(handle, 0, bytes, 0, PART + 100);
            awaitTrue(() -> db().queryForObject("select count(*) from s3_upload_parts p join s3_uploads u on u.id = p.upload "
                    + "where u.object_key = ?", Integer.class, user + "/cut.bin") == 1, "the first part sent");
            assertThatThrownBy(() -> sftp.setStat(handle, new SftpClient.Attributes().size(1000)))
                    .isInstanceOf(SftpException.class).hasMessageContaining("not supported on S3 storage")
                    .extracting(e -> ((SftpException) e).getStatus()).isEqualTo(SftpConstants.SSH_FX_OP_UNSUPPORTED);
            sftp.setStat(handle, new SftpClient.Attributes().size(PART + 50)); // within what is still in memory
            sftp.write(handle, PART + 50, bytes, PART + 50, bytes.length - PART - 50);
            handle.close();
        }
        assertThat(s3.client().getObjectAsBytes(b -> b.bucket(bucket).key(user + "/cut.bin")).asByteArray()).isEqualTo(bytes);
    }

    @Test
    void anUploadWhoseClientWasKilledResumesWithReput() throws Exception {
        String user = newUser();
        byte[] bytes = random(5 * PART + 4321, 2);
        Path file = local.resolve("big.bin");
        Files.write(file, bytes);
        // 40 Mbit/s: the upload is still running when it is killed
        Process upload = new ProcessBuilder("sftp", "-l", "40000", "-b", "-", "-P", String.valueOf(ferry.sftpPort()),
                "-F", "/dev/null", "-i", keyFile.toString(), "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", user + "@127.0.0.1")
                .directory(local.toFile()).redirectErrorStream(true).start();
        try (OutputStream in = upload.getOutputStream()) {
            in.write("put big.bin big.bin\n".getBytes());
        }
        awaitTrue(() -> db().queryForObject("select count(*) from s3_upload_parts p join s3_uploads u on u.id = p.upload "
                + "where u.object_key = ?", Integer.class, user + "/big.bin") >= 2, "two parts sent");
        upload.destroyForcibly();
        assertThat(upload.waitFor(10, TimeUnit.SECONDS)).isTrue();
        awaitTrue(() -> !db().queryForList("select 1 from s3_uploads where object_key = ? and state = 'SUSPENDED'",
                user + "/big.bin").isEmpty(), "the interrupted upload kept");
        assertThat(keys(user + "/")).doesNotContain(user + "/big.bin");

        long resumable = db().queryForObject("select resumable_bytes from s3_uploads where object_key = ?", Long.class, user + "/big.bin");
        assertThat(resumable).isPositive().isLessThan(bytes.length).isEqualTo(resumable / PART * PART);
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), user, key)) {
            assertThat(client.sftp().stat("/big.bin").getSize()).as("stat tells reput where to continue").isEqualTo(resumable);
            assertThat(HomeContractIT.names(client.sftp(), "/")).as("not listed until complete").doesNotContain("big.bin");
        }

        ExternalCommand.Result reput = new OpenSshClient(ferry.sftpPort(), user, keyFile).sftpBatch(local, "reput big.bin big.bin");
        assertThat(reput.exitCode()).as(reput.output()).isZero();
        byte[] stored = s3.client().getObjectAsBytes(b -> b.bucket(bucket).key(user + "/big.bin")).asByteArray();
        assertThat(stored).isEqualTo(bytes);
        assertThat(db().queryForList("select 1 from s3_uploads where object_key = ?", user + "/big.bin")).isEmpty();
    }

    @Test
    void lftpPutContinueResumesAnInterruptedUpload() throws Exception {
        String user = newUser();
        byte[] bytes = random(3 * PART + 999, 8);
        Files.write(local.resolve("lftp.bin"), bytes);
        SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), user, key);
        SftpClient.CloseableHandle handle = client.sftp().open("/lftp.bin", EnumSet.of(OpenMode.Write, OpenMode.Create, OpenMode.Truncate));
        client.sftp().write(handle, 0, bytes, 0, 2 * PART + 5000);
        awaitTrue(() -> db().queryForObject("select count(*) from s3_upload_parts p join s3_uploads u on u.id = p.upload "
                + "where u.object_key = ?", Integer.class, user + "/lftp.bin") == 2, "two parts sent");
        client.session().close(true);
        awaitTrue(() -> !db().queryForList("select 1 from s3_uploads where object_key = ? and state = 'SUSPENDED'",
                user + "/lftp.bin").isEmpty(), "the interrupted upload kept");

        String ssh = "ssh -a -x -F /dev/null -i " + keyFile + " -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"
                + " -o BatchMode=yes -o IdentitiesOnly=yes -p " + ferry.sftpPort();
        Process lftp = new ProcessBuilder("lftp", "-e", "set sftp:connect-program '" + ssh + "'; set net:max-retries 1; "
                + "put -c lftp.bin -o lftp.bin; bye", "sftp://" + user + ":x@127.0.0.1")
                .directory(local.toFile()).redirectErrorStream(true).start();
        String output = new String(lftp.getInputStream().readAllBytes());
        assertThat(lftp.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(lftp.exitValue()).as(output).isZero();
        assertThat(s3.client().getObjectAsBytes(b -> b.bucket(bucket).key(user + "/lftp.bin")).asByteArray()).isEqualTo(bytes);
        var uploads = admin.get("/api/v1/audit?username=" + user + "&type=UPLOAD").json().get("content");
        assertThat(uploads.toString()).contains("kept for resuming");
    }

    @Test
    void abandonedInterruptedUploadsAreAbortedAfterTheRetentionTime() throws IOException {
        String user = newUser();
        byte[] bytes = random(PART + 10, 3);
        SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), user, key);
        SftpClient.CloseableHandle handle = client.sftp().open("/left.bin", EnumSet.of(OpenMode.Write, OpenMode.Create, OpenMode.Truncate));
        client.sftp().write(handle, 0, bytes, 0, bytes.length);
        awaitTrue(() -> db().queryForObject("select count(*) from s3_uploads where object_key = ?", Integer.class, user + "/left.bin") == 1,
                "the multipart upload recorded");
        client.session().close(true); // the connection drops without CLOSE
        // pending-retention is 3 s in this class: the upload is aborted and its record removed
        awaitTrue(() -> db().queryForObject("select count(*) from s3_uploads where object_key = ?", Integer.class, user + "/left.bin") == 0,
                "the abandoned upload aborted");
        try (SftpTestClient again = SftpTestClient.withKey(ferry.sftpPort(), user, key)) {
            assertThatThrownBy(() -> again.sftp().stat("/left.bin")).isInstanceOf(SftpException.class);
        }
        assertThat(keys(user + "/")).doesNotContain(user + "/left.bin");
    }

    @Test
    void renamingAFileBiggerThanOneCopyUsesAMultipartCopy() throws IOException {
        String user = newUser();
        byte[] bytes = random(3 * PART + 777, 7); // uploaded in four 8 MiB parts
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), user, key)) {
            try (OutputStream out = client.sftp().write("/large.bin")) {
                out.write(bytes);
            }
            SftpClient.Attributes time = new SftpClient.Attributes();
            time.modifyTime(1_500_000_000);
            time.accessTime(1_500_000_000);
            client.sftp().setStat("/large.bin", time);
            client.sftp().rename("/large.bin", "/renamed.bin");
            assertThat(HomeContractIT.names(client.sftp(), "/")).containsExactly("renamed.bin");
            // the copy has another ETag than the original: the time set on it moved along all the same
            assertThat(HomeContractIT.mtime(client.sftp(), "/renamed.bin")).isEqualTo(1_500_000_000L);
        }
        assertThat(s3.client().getObjectAsBytes(b -> b.bucket(bucket).key(user + "/renamed.bin")).asByteArray()).isEqualTo(bytes);
        // a multipart object's ETag ends with -<number of parts>: copied in 6 MiB parts, 24 MiB is five
        assertThat(s3.client().headObject(b -> b.bucket(bucket).key(user + "/renamed.bin")).eTag()).matches("\"?[0-9a-f]+-5\"?");
    }

    @Test
    void aTimeSetOnAnObjectNoLongerShowsOnceAnotherToolReplacesIt() throws IOException {
        String user = newUser();
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), user, key)) {
            try (OutputStream out = client.sftp().write("/shared.csv")) {
                out.write(random(1000, 3));
            }
            SftpClient.Attributes time = new SftpClient.Attributes();
            time.modifyTime(1_500_000_000);
            time.accessTime(1_500_000_000);
            client.sftp().setStat("/shared.csv", time);
            assertThat(HomeContractIT.mtime(client.sftp(), "/shared.csv")).isEqualTo(1_500_000_000L);
            // opened for writing without truncation, its time set on the handle, closed without a write (reput -p of a complete file)
            try (SftpClient.CloseableHandle handle = client.sftp().open("/shared.csv", EnumSet.of(OpenMode.Write))) {
                SftpClient.Attributes later = new SftpClient.Attributes();
                later.modifyTime(1_550_000_000);
                later.accessTime(1_550_000_000);
                client.sftp().setStat(handle, later);
            }
            assertThat(HomeContractIT.mtime(client.sftp(), "/shared.csv")).isEqualTo(1_550_000_000L);
            assertThat(s3.client().getObjectAsBytes(b -> b.bucket(bucket).key(user + "/shared.csv")).asByteArray()).isEqualTo(random(1000, 3));

            s3.client().putObject(b -> b.bucket(bucket).key(user + "/shared.csv"), RequestBody.fromBytes(random(1000, 4)));
            long replaced = s3.client().headObject(b -> b.bucket(bucket).key(user + "/shared.csv")).lastModified().getEpochSecond();
            assertThat(HomeContractIT.mtime(client.sftp(), "/shared.csv")).isEqualTo(replaced);
            assertThat(HomeContractIT.listedTimes(client.sftp(), "/")).containsEntry("shared.csv", replaced);

            // The row of the replaced object does not follow a rename, nor stay behind.
            String timesOfUser = "select count(*) from s3_object_times where object_key like ?";
            assertThat(db().queryForObject(timesOfUser, Integer.class, user + "/%")).isOne();
            client.sftp().rename("/shared.csv", "/renamed.csv");
            assertThat(db().queryForObject(timesOfUser, Integer.class, user + "/%")).isZero();
            assertThat(HomeContractIT.mtime(client.sftp(), "/renamed.csv")).isNotEqualTo(1_550_000_000L);
            client.sftp().setStat("/renamed.csv", time);
            assertThat(db().queryForObject(timesOfUser, Integer.class, user + "/%")).isOne();
        }
        // A purged home leaves no times behind.
        String timesOfUser = "select count(*) from s3_object_times where object_key like ?";
        assertThat(admin.delete("/api/v1/users/" + user + "?purge=true").status()).isEqualTo(204);
        assertThat(db().queryForObject(timesOfUser, Integer.class, user + "/%")).isZero();
    }

    @Test
    void storedTimesOfObjectsRemovedByOtherToolsAreDroppedByTheDailyCheck() throws IOException {
        String user = newUser();
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), user, key)) {
            for (String name : List.of("/kept.csv", "/removed.csv")) {
                try (OutputStream out = client.sftp().write(name)) {
                    out.write(random(100, 5));
                }
                SftpClient.Attributes time = new SftpClient.Attributes();
                time.modifyTime(1_500_000_000);
                time.accessTime(1_500_000_000);
                client.sftp().setStat(name, time);
            }
        }
        s3.client().deleteObject(b -> b.bucket(bucket).key(user + "/removed.csv")); // e.g. a lifecycle rule
        db().update("update s3_object_times set checked_at = now() - interval '2 days' where object_key like ?", user + "/%");

        awaitTrue(() -> db().queryForList("select object_key from s3_object_times where object_key like ? "
                + "and checked_at > now() - interval '1 hour'", String.class, user + "/%").equals(List.of(user + "/kept.csv")),
                "the removed object's row dropped, the other one checked and kept");
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), user, key)) {
            assertThat(HomeContractIT.mtime(client.sftp(), "/kept.csv")).isEqualTo(1_500_000_000L);
        }
    }

    @Test
    void writesFarAheadOfMissingBytesAreRefusedWithAClearMessage() throws IOException {
        String user = newUser();
        byte[] chunk = random(1024, 4);
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), user, key)) {
            SftpClient sftp = client.sftp();
            SftpClient.CloseableHandle handle = sftp.open("/gaps.bin", EnumSet.of(OpenMode.Write, OpenMode.Create, OpenMode.Truncate));
            // Each write starts a part with a gap before it; the default 32 MiB buffer holds four parts.
            for (int part = 0; part < 4; part++) {
                sftp.write(handle, (long) part * PART + 100, chunk, 0, chunk.length);
            }
            assertThatThrownBy(() -> sftp.write(handle, 4L * PART + 100, chunk, 0, chunk.length))
                    .isInstanceOf(SftpException.class).hasMessageContaining("too far ahead of the missing bytes");
            assertThatThrownBy(handle::close).isInstanceOf(SftpException.class);
            assertThat(HomeContractIT.names(sftp, "/")).doesNotContain("gaps.bin");
        }
    }

    @Test
    void rewritingBytesAlreadySentIsRefusedNotCorrupted() throws IOException {
        String user = newUser();
        byte[] bytes = random(PART + 5000, 5);
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), user, key)) {
            SftpClient sftp = client.sftp();
            SftpClient.CloseableHandle handle = sftp.open("/rewrite.bin", EnumSet.of(OpenMode.Write, OpenMode.Create, OpenMode.Truncate));
            sftp.write(handle, 0, bytes, 0, bytes.length);
            awaitTrue(() -> db().queryForObject("select count(*) from s3_upload_parts p join s3_uploads u on u.id = p.upload "
                    + "where u.object_key = ?", Integer.class, user + "/rewrite.bin") == 1, "the first part sent");
            assertThatThrownBy(() -> sftp.write(handle, 10, bytes, 0, 100))
                    .isInstanceOf(SftpException.class).hasMessageContaining("already sent to the storage");
            assertThatThrownBy(handle::close).isInstanceOf(SftpException.class);
            assertThat(HomeContractIT.names(sftp, "/")).doesNotContain("rewrite.bin");
        }
    }

    @Test
    void listingsPageThroughThousandsOfObjectsWithTheirSizes() throws IOException {
        String user = newUser();
        int count = 1_234;
        S3Client direct = s3.client();
        for (int i = 0; i < count; i++) {
            String objectKey = user + "/many/f" + String.format("%05d", i);
            direct.putObject(b -> b.bucket(bucket).key(objectKey), RequestBody.fromBytes(new byte[i % 17]));
        }
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), user, key)) {
            List<SftpClient.DirEntry> entries = new ArrayList<>();
            for (SftpClient.DirEntry entry : client.sftp().readDir("/many")) {
                if (!entry.getFilename().startsWith(".")) {
                    entries.add(entry);
                }
            }
            assertThat(entries).hasSize(count);
            for (SftpClient.DirEntry entry : entries) {
                int i = Integer.parseInt(entry.getFilename().substring(1));
                assertThat(entry.getAttributes().getSize()).as(entry.getFilename()).isEqualTo(i % 17);
            }
        }
    }

    @Test
    void theAuditRecordsTheObjectsETagAndTheUploadsSha256() throws Exception {
        String user = newUser();
        byte[] bytes = random(100_000, 6);
        Files.write(local.resolve("audited.bin"), bytes);
        ExternalCommand.Result put = new OpenSshClient(ferry.sftpPort(), user, keyFile).sftpBatch(local, "put audited.bin");
        assertThat(put.exitCode()).as(put.output()).isZero();
        var events = admin.get("/api/v1/audit?username=" + user + "&type=UPLOAD").json().get("content");
        assertThat(events).hasSize(1);
        String etag = s3.client().headObject(b -> b.bucket(bucket).key(user + "/audited.bin")).eTag();
        assertThat(events.get(0).get("etag").asText()).isEqualTo(etag);
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        assertThat(events.get(0).get("sha256").asText()).isEqualTo(sha256);

        ExternalCommand.Result get = new OpenSshClient(ferry.sftpPort(), user, keyFile).sftpBatch(local, "get audited.bin back.bin");
        assertThat(get.exitCode()).as(get.output()).isZero();
        var downloads = admin.get("/api/v1/audit?username=" + user + "&type=DOWNLOAD").json().get("content");
        assertThat(downloads).hasSize(1);
        assertThat(downloads.get(0).get("etag").asText()).isEqualTo(etag);
        assertThat(downloads.get(0).get("sha256").asText()).isEqualTo(sha256);
    }

    @Test
    void aBucketThatDoesNotExistIsNamedInTheError() throws IOException {
        String name = "s3user" + users.incrementAndGet();
        Users.create(admin, name, key, "\"storage\":{\"type\":\"s3\",\"bucket\":\"no-such-bucket-here\"}");
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), name, key)) {
            assertThatThrownBy(() -> {
                try (OutputStream out = client.sftp().write("/x.bin")) {
                    out.write(1);
                }
            }).isInstanceOf(SftpException.class).hasMessageContaining("bucket does not exist");
        }
        // the server goes on serving others
        String other = newUser();
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), other, key)) {
            try (OutputStream out = client.sftp().write("/fine.bin")) {
                out.write(new byte[10]);
            }
            assertThat(client.sftp().stat("/fine.bin").getSize()).isEqualTo(10);
        }
    }

    @Test
    void badHomeLocationsAreRefusedByTheApi() {
        var badBucket = admin.post("/api/v1/users", "{\"username\":\"badbucket\",\"storage\":{\"type\":\"s3\",\"bucket\":\"Not_A_Bucket\"}}");
        assertThat(badBucket.status()).isEqualTo(400);
        assertThat(badBucket.body()).contains("not a valid S3 bucket name");
        var badPrefix = admin.post("/api/v1/users", "{\"username\":\"badprefix\",\"storage\":{\"type\":\"s3\",\"prefix\":\"a/../b/\"}}");
        assertThat(badPrefix.status()).isEqualTo(400);
        assertThat(badPrefix.body()).contains("prefix");
    }

    static void awaitTrue(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
