package dev.ferry.sftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.TestPostgres;
import dev.ferry.testsupport.Users;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Stopping an instance (what SIGTERM does): the SFTP ports stop accepting connections at once,
 * an upload in progress may finish within {@code sftp.shutdown-grace} and is published, and the
 * instance stops as soon as no transfer is left, not at the end of the grace period.
 */
class GracefulShutdownIT {

    private static final int CHUNK = 256 * 1024;

    @Test
    void uploadInProgressAtShutdownCompletesAndNewConnectionsAreRefused() throws Exception {
        // A second port (sftp.listeners) is drained with the main one; the upload comes in through it.
        int secondPort = dev.ferry.testsupport.FreePorts.next();
        FerryInstance ferry = FerryInstance.start(TestPostgres.get().newDatabase(), FerryInstance.tempDir("ferry-drain"),
                Map.of("sftp.shutdown-grace", "30s", "sftp.listeners[0].port", String.valueOf(secondPort),
                        "sftp.listeners[0].crypto-policy", "compatible"));
        KeyPair key = TestKeys.ed25519();
        Users.create(ferry.admin(), "drain", key, null);
        byte[] content = new byte[8 * CHUNK];
        new SplittableRandom(7).nextBytes(content);

        CompletableFuture<Void> stopping;
        long uploadClosedAt;
        try (SftpTestClient client = SftpTestClient.withKey(secondPort, "drain", key)) {
            OutputStream upload = client.sftp().write("inbox.bin");
            upload.write(content, 0, 4 * CHUNK);
            upload.flush();
            awaitStagedBytes(ferry, 4L * CHUNK);

            stopping = CompletableFuture.runAsync(ferry::close);
            awaitRefused(ferry.sftpPort());
            awaitRefused(secondPort);
            assertThatThrownBy(() -> SftpTestClient.withKey(ferry.sftpPort(), "drain", key))
                    .as("a new SFTP connection during shutdown").isInstanceOf(IOException.class);
            Thread.sleep(500);
            assertThat(stopping).as("the instance waits for the upload in progress").isNotDone();
            assertThat(ferry.homeOf("drain").resolve("inbox.bin")).as("not published before its CLOSE").doesNotExist();

            // The transfer goes on over the existing connection and ends with the client's CLOSE.
            for (int off = 4 * CHUNK; off < content.length; off += CHUNK) {
                upload.write(content, off, CHUNK);
                Thread.sleep(50);
            }
            upload.close();
            uploadClosedAt = System.nanoTime();
        }

        stopping.get(60, TimeUnit.SECONDS);
        long afterUpload = System.nanoTime() - uploadClosedAt;
        assertThat(Duration.ofNanos(afterUpload)).as("stops once the transfer is done, not after the grace")
                .isLessThan(Duration.ofSeconds(20));
        assertThat(Files.readAllBytes(ferry.homeOf("drain").resolve("inbox.bin"))).isEqualTo(content);
        assertThat(stagedFiles(ferry)).isEmpty();
    }

    @Test
    void uploadStillRunningWhenTheGraceEndsIsCutAndDiscarded() throws Exception {
        FerryInstance ferry = FerryInstance.start(TestPostgres.get().newDatabase(), FerryInstance.tempDir("ferry-drain"),
                Map.of("sftp.shutdown-grace", "2s"));
        KeyPair key = TestKeys.ed25519();
        Users.create(ferry.admin(), "slow", key, null);
        byte[] chunk = new byte[CHUNK];

        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "slow", key)) {
            OutputStream upload = client.sftp().write("never.bin");
            upload.write(chunk);
            upload.flush();
            awaitStagedBytes(ferry, CHUNK);

            long start = System.nanoTime();
            ferry.close();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).as("waited for the grace period, then closed").isBetween(Duration.ofSeconds(2), Duration.ofSeconds(15));
            assertThatThrownBy(() -> {
                upload.write(chunk);
                upload.close();
            }).isInstanceOf(IOException.class);
        } catch (IOException | RuntimeException closedByServer) {
            // closing the client of a session the server ended may fail too
        }
        assertThat(ferry.homeOf("slow").resolve("never.bin")).doesNotExist();
    }

    // ------------------------------------------------------------------------------------------

    private static void awaitRefused(int port) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            } catch (ConnectException refused) {
                return;
            } catch (IOException other) {
                // timeout or reset: try again
            }
            Thread.sleep(50);
        }
        fail("the SFTP port still accepted connections 10 s after shutdown began");
    }

    private static void awaitStagedBytes(FerryInstance ferry, long bytes) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            for (Path staged : stagedFiles(ferry)) {
                try {
                    if (Files.size(staged) >= bytes) {
                        return;
                    }
                } catch (java.nio.file.NoSuchFileException gone) {
                    // published or discarded meanwhile
                }
            }
            Thread.sleep(20);
        }
        fail("no staged upload of " + bytes + " bytes appeared within 10 s");
    }

    private static List<Path> stagedFiles(FerryInstance ferry) throws IOException {
        Path staging = ferry.storageRoot().resolve(".ferry-staging");
        if (!Files.isDirectory(staging)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(staging)) {
            return files.toList();
        }
    }
}
