package dev.ferry.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.FaultInjectingProxy;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.S3ProxyServer;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.TestPostgres;
import dev.ferry.testsupport.TestS3;
import dev.ferry.testsupport.Users;
import java.io.IOException;
import java.io.OutputStream;
import java.security.KeyPair;
import java.util.EnumSet;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.OpenMode;
import org.apache.sshd.sftp.common.SftpException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * S3 failing under Ferry: throttling, connections cut, the S3 server killed mid-upload, refused
 * credentials. Each becomes a clear SFTP status for the session concerned; transient failures are
 * retried; the server stays up and serves the others. A private S3Proxy behind a fault-injecting
 * relay, so that killing it touches no other test.
 */
class S3FaultsIT {

    static S3ProxyServer s3proxy;
    static FaultInjectingProxy faults;
    static FerryInstance ferry;
    static AdminClient admin;
    static KeyPair key;
    static final AtomicInteger users = new AtomicInteger();

    @BeforeAll
    static void start() throws IOException {
        s3proxy = S3ProxyServer.start();
        TestS3.client(s3proxy.endpoint(), S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY).createBucket(b -> b.bucket("faults"));
        faults = new FaultInjectingProxy(s3proxy.port());
        ferry = FerryInstance.start(TestPostgres.get().newDatabase(), FerryInstance.tempDir("ferry-files"),
                TestS3.settings(faults.endpoint(), S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY, "faults"));
        admin = ferry.admin();
        key = TestKeys.ed25519();
    }

    @AfterAll
    static void stop() throws IOException {
        ferry.close();
        faults.close();
        s3proxy.close();
    }

    static String newUser(String storage) {
        String name = "fault" + users.incrementAndGet();
        Users.create(admin, name, key, "\"storage\":" + storage);
        return name;
    }

    static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new SplittableRandom(size).nextBytes(bytes);
        return bytes;
    }

    static void upload(SftpClient sftp, String path, byte[] bytes) throws IOException {
        try (OutputStream out = sftp.write(path)) {
            out.write(bytes);
        }
    }

    static byte[] download(SftpClient sftp, String path) throws IOException {
        try (var in = sftp.read(path)) {
            return in.readAllBytes();
        }
    }

    @Test
    void throttlingIsRetriedAndTheTransferSucceeds() throws IOException {
        String user = newUser("{\"type\":\"s3\"}");
        byte[] bytes = random(300_000);
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), user, key)) {
            faults.throttleNext(2);
            int before = faults.throttledSoFar();
            upload(client.sftp(), "/throttled.bin", bytes);
            assertThat(faults.throttledSoFar() - before).as("requests answered 503 SlowDown").isEqualTo(2);
            faults.throttleNext(2);
            assertThat(download(client.sftp(), "/throttled.bin")).isEqualTo(bytes);
        }
    }

    @Test
    void persistentThrottlingBecomesAClearError() throws IOException {
        String user = newUser("{\"type\":\"s3\"}");
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), user, key)) {
            faults.throttleNext(1000);
            try {
                assertThatThrownBy(() -> upload(client.sftp(), "/busy.bin", random(1000)))
                        .isInstanceOf(SftpException.class).hasMessageContaining("throttling");
            } finally {
                faults.throttleNext(0);
            }
            upload(client.sftp(), "/busy.bin", random(1000));
            assertThat(client.sftp().stat("/busy.bin").getSize()).isEqualTo(1000);
        }
    }

    @Test
    void connectionsCutMidDownloadAreReconnected() throws IOException {
        String user = newUser("{\"type\":\"s3\"}");
        byte[] bytes = random(30 * 1024 * 1024);
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), user, key)) {
            upload(client.sftp(), "/big.bin", bytes);
            byte[] read = new byte[bytes.length];
            try (var in = client.sftp().read("/big.bin")) {
                int filled = 0;
                boolean cut = false;
                while (filled < read.length) {
                    int n = in.read(read, filled, read.length - filled);
                    if (n < 0) {
                        break;
                    }
                    filled += n;
                    if (!cut && filled > 5 * 1024 * 1024) {
                        faults.cutConnections();
                        cut = true;
                    }
                }
                assertThat(filled).isEqualTo(bytes.length);
            }
            assertThat(read).isEqualTo(bytes);
        }
    }

    @Test
    void theS3ServerKilledMidUploadFailsThatUploadOnlyAndServiceResumesWhenItIsBack() throws IOException {
        String user = newUser("{\"type\":\"s3\"}");
        String local = "local" + users.incrementAndGet();
        Users.create(admin, local, key, "\"storage\":{\"type\":\"local\"}");
        byte[] bytes = random(24 * 1024 * 1024);
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), user, key)) {
            SftpClient sftp = client.sftp();
            SftpClient.CloseableHandle handle = sftp.open("/cut.bin", EnumSet.of(OpenMode.Write, OpenMode.Create, OpenMode.Truncate));
            sftp.write(handle, 0, bytes, 0, 9 * 1024 * 1024);
            s3proxy.kill();
            try {
                assertThatThrownBy(() -> {
                    sftp.write(handle, 9 * 1024 * 1024, bytes, 9 * 1024 * 1024, bytes.length - 9 * 1024 * 1024);
                    handle.close();
                }).isInstanceOf(SftpException.class).hasMessageContaining("storage");

                // Other users of the same server go on working meanwhile.
                try (SftpTestClient other = SftpTestClient.withKey(ferry.sftpPort(), local, key)) {
                    upload(other.sftp(), "/meanwhile.bin", random(1000));
                    assertThat(other.sftp().stat("/meanwhile.bin").getSize()).isEqualTo(1000);
                }
                assertThatThrownBy(() -> sftp.stat("/anything")).isInstanceOf(SftpException.class)
                        .hasMessageContaining("cannot be reached");
            } finally {
                s3proxy.startProcess();
            }
            upload(sftp, "/after.bin", bytes);
            assertThat(download(sftp, "/after.bin")).isEqualTo(bytes);
        }
    }

    @Test
    void refusedCredentialsAreReportedAsAccessDenied() throws IOException {
        try (FerryInstance wrongKey = FerryInstance.start(TestPostgres.get().newDatabase(), FerryInstance.tempDir("ferry-files"),
                TestS3.settings(s3proxy.endpoint(), S3ProxyServer.ACCESS_KEY, "not-the-secret", "faults"))) {
            Users.create(wrongKey.admin(), "denied", key, "\"storage\":{\"type\":\"s3\"}");
            try (SftpTestClient client = SftpTestClient.withKey(wrongKey.sftpPort(), "denied", key)) {
                assertThatThrownBy(() -> upload(client.sftp(), "/x.bin", random(10)))
                        .isInstanceOf(SftpException.class).hasMessageContaining("refused access");
            }
        }
    }
}
