package dev.ferry.soak;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.soak.SoakPlan.SoakUser;
import dev.ferry.soak.SoakPlan.Storage;
import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.FerryProcess;
import dev.ferry.testsupport.S3ProxyServer;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.TestPostgres;
import dev.ferry.testsupport.TestS3;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The server under soak: the packaged jar as its own process (so its log is its own and it runs
 * as users run it) on a fresh database, with its audit in the local journal (the default of
 * {@code java -jar} with the embedded PostgreSQL), local homes and homes on S3 (S3Proxy, its own
 * process). It also looks at the storage behind the server's back, for the checks.
 */
final class SoakServer implements AutoCloseable {

    static final String BUCKET = "soak";

    private final Path work;
    private final S3ProxyServer s3proxy;
    private final S3Client s3;
    private final FerryProcess ferry;
    private final KeyPair key;
    private final Path keyFile;

    private SoakServer(Path work, S3ProxyServer s3proxy, S3Client s3, FerryProcess ferry, KeyPair key, Path keyFile) {
        this.work = work;
        this.s3proxy = s3proxy;
        this.s3 = s3;
        this.ferry = ferry;
        this.key = key;
        this.keyFile = keyFile;
    }

    static SoakServer start(Path work, List<String> jvmOptions, String auditDurability) throws Exception {
        S3ProxyServer s3proxy = S3ProxyServer.start();
        try {
            S3Client s3 = TestS3.client(s3proxy.endpoint(), S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY);
            s3.createBucket(b -> b.bucket(BUCKET));
            Map<String, String> settings = new HashMap<>(TestS3.settings(s3proxy.endpoint(), S3ProxyServer.ACCESS_KEY,
                    S3ProxyServer.SECRET_KEY, BUCKET));
            settings.put("sftp.audit.durability", auditDurability);
            settings.put("sftp.audit.journal-dir", work.resolve("audit-journal").toString());
            KeyPair key = TestKeys.ed25519();
            Path keyFile = TestKeys.writePrivateKey(key, work);
            FerryProcess ferry = FerryProcess.start(work, TestPostgres.get().newDatabase(), settings, "ferry.log", jvmOptions);
            // A bench run ended by Ctrl-C or System.exit must not leave the server running.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    ferry.stop();
                } catch (InterruptedException | AssertionError e) {
                    // going away anyway
                }
            }));
            return new SoakServer(work, s3proxy, s3, ferry, key, keyFile);
        } catch (Exception | Error e) {
            s3proxy.close();
            throw e;
        }
    }

    /**
     * Creates the user with its quota and permissions, and on the storage directly (not over
     * SFTP: making them must not depend on the MKDIR under test) its {@code /shared} directory
     * and, in a local home, its ballast: empty directories {@code /shared/b<i>}, which no worker
     * touches and no usage counts.
     */
    void createUser(SoakUser user) throws IOException {
        StringBuilder body = new StringBuilder("{\"username\":\"" + user.name() + "\",\"publicKeys\":["
                + AdminClient.quote(TestKeys.publicLine(key)) + "],\"permissions\":" + user.permissionsJson());
        if (user.hasQuota()) {
            body.append(",\"quota\":{\"maxFiles\":").append(user.maxFiles()).append(",\"maxBytes\":").append(user.maxBytes()).append('}');
        }
        if (user.storage() == Storage.S3) {
            body.append(",\"storage\":{\"type\":\"s3\",\"prefix\":\"").append(prefix(user)).append("\"}");
        }
        AdminClient.Response created = admin().post("/api/v1/users", body.append('}').toString());
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        if (user.storage() == Storage.S3) {
            s3.putObject(b -> b.bucket(BUCKET).key(prefix(user) + "shared/"), RequestBody.empty());
            return;
        }
        Path shared = Files.createDirectories(home(user).resolve("shared"));
        for (int i = 0; i < user.ballast(); i++) {
            Files.createDirectory(shared.resolve("b" + i));
        }
    }

    /** A stored regular file: its size and SHA-256. */
    record StoredFile(long size, String sha256) {
    }

    /** Every regular file of the user's home, by virtual path ("/shared/p0.bin"). */
    Map<String, StoredFile> storedFiles(SoakUser user) throws IOException {
        Map<String, StoredFile> files = new TreeMap<>();
        if (user.storage() == Storage.S3) {
            String prefix = prefix(user);
            for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(prefix)).contents()) {
                if (object.key().endsWith("/")) {
                    continue; // a directory marker
                }
                try (InputStream in = s3.getObject(b -> b.bucket(BUCKET).key(object.key()))) {
                    files.put("/" + object.key().substring(prefix.length()), new StoredFile(object.size(), sha256(in)));
                }
            }
            return files;
        }
        Path home = home(user);
        try (Stream<Path> walk = Files.walk(home)) {
            for (Path file : walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    files.put("/" + home.relativize(file), new StoredFile(Files.size(file), sha256(in)));
                }
            }
        }
        return files;
    }

    /** Files left in the local staging area (uploads in progress, or discarded ones not cleaned up). */
    List<Path> stagedFiles() throws IOException {
        Path staging = work.resolve("files").resolve(".ferry-staging");
        if (!Files.isDirectory(staging)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(staging)) {
            return list.toList();
        }
    }

    private Path home(SoakUser user) {
        return work.resolve("files").resolve(user.name());
    }

    private static String prefix(SoakUser user) {
        return "homes/" + user.name() + "/";
    }

    private static String sha256(InputStream in) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0;) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Where S3Proxy keeps the objects of the soak's bucket, as files. */
    Path s3Data() {
        return s3proxy.bucketDir(BUCKET);
    }

    AdminClient admin() {
        return ferry.admin();
    }

    int sftpPort() {
        return ferry.sftpPort();
    }

    KeyPair key() {
        return key;
    }

    Path keyFile() {
        return keyFile;
    }

    String log() {
        return ferry.output();
    }

    @Override
    public void close() throws Exception {
        try {
            ferry.close();
        } finally {
            s3.close();
            s3proxy.close();
        }
    }
}
