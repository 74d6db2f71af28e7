package dev.ferry.sftp.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.shared.Sha256;
import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.PrometheusScrape;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.Users;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.StreamSupport;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.extensions.CheckFileNameExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * A download's SHA-256 comes from the stored digest when the content is the one it was computed
 * from, and is never a stale one: whatever changed the file (Ferry or something behind its back,
 * with the same size and modification time), the record holds the digest of the bytes the client
 * received. Whether the file was hashed is read from {@code ferry_digest_hashed_bytes_total}, not
 * from timing. One Ferry for all cases; each case has its own user. Run on local disk and S3.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DownloadDigestsContract {

    static final String HASHED = "ferry_digest_hashed_bytes_total";

    FerryInstance ferry;
    AdminClient admin;
    KeyPair key;
    private final AtomicInteger users = new AtomicInteger();

    abstract FerryInstance startFerry();

    abstract String storageJson(String username);

    /**
     * Replaces the content of the user's file with {@code content} (the same size) without Ferry,
     * keeping whatever the storage lets a writer keep (local disk: the modification time, to the
     * nanosecond).
     */
    abstract void changeBehindFerrysBack(String username, String path, byte[] content) throws Exception;

    @BeforeAll
    void start() {
        ferry = startFerry();
        admin = ferry.admin();
        key = TestKeys.ed25519();
    }

    @AfterAll
    void stop() {
        if (ferry != null) {
            ferry.close();
        }
    }

    @Test
    void aDownloadOfAnUploadedFileRecordsItsDigestWithoutHashing() throws Exception {
        String user = newUser();
        byte[] data = random(3 * 1024 * 1024 + 17, 1);
        try (SftpTestClient client = java(user)) {
            client.put("/up.bin", data);
            // Read through the API, which ships journaled records first: the upload's record is in
            // PostgreSQL before the download, as it is some time after any upload.
            assertThat(upload(user).get("sha256").asText()).isEqualTo(hex(data));
            double before = hashed();
            assertThat(download(client, "/up.bin")).isEqualTo(hex(data));
            assertThat(awaitDownloads(user, 1).get(0).get("sha256").asText()).isEqualTo(hex(data));
            assertThat(checkFile(client, "/up.bin")).isEqualTo(hex(data));
            assertThat(hashed()).as("neither the download nor check-file read the file to hash it").isEqualTo(before);
        }
    }

    @Test
    void aFileChangedBehindFerrysBackWithTheSameSizeAndTimeGetsItsTrueDigest() throws Exception {
        String user = newUser();
        byte[] first = random(1024 * 1024, 2);
        byte[] second = random(1024 * 1024, 3);
        try (SftpTestClient client = java(user)) {
            client.put("/same.bin", first);
            assertThat(download(client, "/same.bin")).isEqualTo(hex(first));
            changeBehindFerrysBack(user, "/same.bin", second);
            double before = hashed();
            assertThat(download(client, "/same.bin")).isEqualTo(hex(second));
            List<JsonNode> downloads = awaitDownloads(user, 2);
            assertThat(downloads.get(0).get("sha256").asText()).isEqualTo(hex(first));
            assertThat(downloads.get(1).get("sha256").asText()).as("never the stored digest of the old content")
                    .isEqualTo(hex(second));
            assertThat(hashed() - before).as("the changed file was hashed as it passed").isEqualTo(second.length);
            // Kept for next time: the next download and check-file need no hashing.
            before = hashed();
            assertThat(download(client, "/same.bin")).isEqualTo(hex(second));
            assertThat(awaitDownloads(user, 3).get(2).get("sha256").asText()).isEqualTo(hex(second));
            assertThat(checkFile(client, "/same.bin")).isEqualTo(hex(second));
            assertThat(hashed()).isEqualTo(before);
            // check-file of content changed behind Ferry's back answers the new content's digest too.
            byte[] third = random(1024 * 1024, 4);
            changeBehindFerrysBack(user, "/same.bin", third);
            assertThat(checkFile(client, "/same.bin")).isEqualTo(hex(third));
            assertThat(download(client, "/same.bin")).isEqualTo(hex(third));
            assertThat(awaitDownloads(user, 4).get(3).get("sha256").asText()).isEqualTo(hex(third));
        }
    }

    @Test
    void overwriteAppendTruncateAndRenameThroughSftpNeverLeaveAStaleDigest() throws Exception {
        String user = newUser();
        byte[] a = random(500_000, 5);
        byte[] b = random(500_000, 6);
        byte[] tail = random(70_000, 7);
        List<String> expected = new ArrayList<>();
        try (SftpTestClient client = java(user)) {
            SftpClient sftp = client.sftp();
            client.put("/f.bin", a);
            expected.add(downloadChecked(client, "/f.bin", a));
            client.put("/f.bin", b); // overwrite, same size
            expected.add(downloadChecked(client, "/f.bin", b));
            try (OutputStream out = sftp.write("/f.bin", SftpClient.OpenMode.Write, SftpClient.OpenMode.Append)) {
                out.write(tail);
            }
            byte[] appended = concat(b, tail);
            expected.add(downloadChecked(client, "/f.bin", appended));
            sftp.setStat("/f.bin", new SftpClient.Attributes().size(400_000));
            byte[] truncated = java.util.Arrays.copyOf(appended, 400_000);
            expected.add(downloadChecked(client, "/f.bin", truncated));
            sftp.rename("/f.bin", "/g.bin");
            expected.add(downloadChecked(client, "/g.bin", truncated));
            client.put("/f.bin", a); // the old name again, other content
            expected.add(downloadChecked(client, "/f.bin", a));
            sftp.remove("/f.bin");
            client.put("/f.bin", b);
            expected.add(downloadChecked(client, "/f.bin", b));
        }
        List<JsonNode> downloads = awaitDownloads(user, expected.size());
        for (int i = 0; i < expected.size(); i++) {
            assertThat(downloads.get(i).get("sha256").asText()).as("download " + i).isEqualTo(expected.get(i));
        }
    }

    @Test
    void partialReadsRecordNoDigest() throws Exception {
        String user = newUser();
        byte[] data = random(300_000, 8);
        try (SftpTestClient client = java(user)) {
            client.put("/p.bin", data);
            try (SftpClient.CloseableHandle h = client.sftp().open("/p.bin", SftpClient.OpenMode.Read)) {
                client.sftp().read(h, 1000, new byte[10], 0, 10);
            }
            try (SftpClient.CloseableHandle h = client.sftp().open("/p.bin", SftpClient.OpenMode.Read)) {
                byte[] buffer = new byte[32 * 1024];
                for (long offset = 0; offset < data.length - 1; offset += buffer.length) { // all but the last byte
                    client.sftp().read(h, offset, buffer, 0, (int) Math.min(buffer.length, data.length - 1 - offset));
                }
            }
        }
        for (JsonNode d : awaitDownloads(user, 2)) {
            assertThat(d.get("sha256").isNull()).as(d.toString()).isTrue();
            assertThat(d.get("detail").asText()).startsWith("partial read");
        }
    }

    /**
     * 10 sessions replace the file while 10 others download it: every download record's digest is
     * the one of the bytes that session received (records are matched to sessions through a MKDIR
     * each downloading session makes first).
     */
    @Test
    void concurrentUploadsAndDownloadsOfOneNameNeverRecordADigestOfOtherBytes() throws Exception {
        String user = newUser();
        int size = 256 * 1024;
        try (SftpTestClient client = java(user)) {
            client.put("/hot.bin", random(size, 100));
        }
        ExecutorService pool = Executors.newFixedThreadPool(20);
        List<Future<List<String>>> downloaders = new ArrayList<>();
        List<Future<?>> uploaders = new ArrayList<>();
        try {
            for (int u = 0; u < 10; u++) {
                int n = u;
                uploaders.add(pool.submit(() -> {
                    try (SftpTestClient client = java(user)) {
                        for (int round = 0; round < 5; round++) {
                            // With TRUNCATE, as OpenSSH's put: without it an S3 write starts as a copy of what it replaces.
                            try (SftpClient.CloseableHandle h = client.sftp().open("/hot.bin", SftpClient.OpenMode.Write,
                                    SftpClient.OpenMode.Create, SftpClient.OpenMode.Truncate)) {
                                client.sftp().write(h, 0, random(size, 1000 + n * 10 + round));
                            }
                        }
                    }
                    return null;
                }));
            }
            for (int d = 0; d < 10; d++) {
                int n = d;
                downloaders.add(pool.submit(() -> {
                    List<String> received = new ArrayList<>();
                    try (SftpTestClient client = java(user)) {
                        client.sftp().mkdir("/session-" + n);
                        for (int round = 0; round < 6; round++) {
                            try {
                                received.add(download(client, "/hot.bin"));
                            } catch (IOException e) {
                                received.add(null); // S3: the object was replaced during the read
                            }
                        }
                    }
                    return received;
                }));
            }
            for (Future<?> f : uploaders) {
                f.get(5, TimeUnit.MINUTES);
            }
            List<List<String>> received = new ArrayList<>();
            for (Future<List<String>> f : downloaders) {
                received.add(f.get(5, TimeUnit.MINUTES));
            }
            List<JsonNode> all = awaitDownloads(user, 60);
            Map<String, String> sessionOfMarker = new java.util.HashMap<>();
            for (JsonNode m : records(user, "MKDIR")) {
                sessionOfMarker.put(m.get("path").asText(), m.get("sessionId").asText());
            }
            int withDigest = 0;
            for (int d = 0; d < 10; d++) {
                String session = sessionOfMarker.get("/session-" + d);
                List<JsonNode> mine = all.stream().filter(r -> session.equals(r.get("sessionId").asText())).toList();
                assertThat(mine).hasSize(6);
                for (int i = 0; i < 6; i++) {
                    JsonNode record = mine.get(i);
                    if (!record.get("sha256").isNull()) {
                        withDigest++;
                        assertThat(record.get("sha256").asText()).as("session %d download %d", d, i).isEqualTo(received.get(d).get(i));
                    }
                }
            }
            assertThat(withDigest).isGreaterThan(0);
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- helpers ---------------------------------------------------------------------------

    String newUser() {
        String name = "digests" + users.incrementAndGet();
        Users.create(admin, name, key, "\"storage\":" + storageJson(name));
        return name;
    }

    SftpTestClient java(String user) throws IOException {
        return SftpTestClient.withKey(ferry.sftpPort(), user, key);
    }

    double hashed() {
        PrometheusScrape scrape = PrometheusScrape.of(admin);
        assertThat(scrape.has(HASHED)).as("the counter is exposed").isTrue();
        return scrape.value(HASHED);
    }

    /** Downloads the whole file in order and returns the SHA-256 of the bytes received. */
    static String download(SftpTestClient client, String path) throws IOException {
        MessageDigest sha256 = Sha256.newDigest();
        try (InputStream in = client.sftp().read(path)) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                sha256.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    /** Downloads and checks the client received {@code expected}; returns its digest. */
    static String downloadChecked(SftpTestClient client, String path, byte[] expected) throws IOException {
        String received = download(client, path);
        assertThat(received).as(path).isEqualTo(hex(expected));
        return received;
    }

    static String checkFile(SftpTestClient client, String path) throws IOException {
        CheckFileNameExtension check = client.sftp().getExtension(CheckFileNameExtension.class);
        return HexFormat.of().formatHex(check.checkFileName(path, List.of("sha256"), 0, 0, 0).getValue().iterator().next());
    }

    JsonNode upload(String user) {
        return records(user, "UPLOAD").get(0);
    }

    /** The user's records of a type, oldest first. */
    List<JsonNode> records(String user, String type) {
        JsonNode content = admin.get("/api/v1/audit?size=500&username=" + user + "&type=" + type).json().get("content");
        List<JsonNode> list = new ArrayList<>(StreamSupport.stream(content.spliterator(), false).toList());
        list.sort(java.util.Comparator.comparingLong(r -> r.get("id").asLong()));
        return list;
    }

    List<JsonNode> awaitDownloads(String user, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<JsonNode> downloads = records(user, "DOWNLOAD");
        while (downloads.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(100);
            downloads = records(user, "DOWNLOAD");
        }
        assertThat(downloads).hasSize(count);
        return downloads;
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    static String hex(byte[] data) {
        return Sha256.hex(data);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
