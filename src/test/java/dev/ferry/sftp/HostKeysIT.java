package dev.ferry.sftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.admins.AdminAccounts;
import dev.ferry.admins.AdminRole;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.HostKeyScan;
import dev.ferry.testsupport.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The host keys clients pin in {@code known_hosts}, as OpenSSH's {@code ssh-keyscan} sees them:
 * the same on every replica of one database and after a restart.
 */
class HostKeysIT {

    private final List<FerryInstance> instances = new ArrayList<>();

    @AfterEach
    void closeAll() {
        instances.forEach(FerryInstance::close);
    }

    @Test
    void replicasOfOneDatabasePresentTheSameHostKeys() throws Exception {
        FerryInstance first = keep(FerryInstance.start());
        FerryInstance second = keep(first.replica());

        assertThat(fingerprint(second, "ed25519")).isEqualTo(fingerprint(first, "ed25519"));
        assertThat(fingerprint(second, "rsa")).isEqualTo(fingerprint(first, "rsa"));
        assertThat(fingerprint(first, "ed25519")).as("what clients see is what is stored")
                .isEqualTo(storedFingerprint(first.database(), "ssh-ed25519"));
    }

    @Test
    void restartedInstancePresentsTheSameHostKeys() throws Exception {
        FerryInstance first = FerryInstance.start();
        String ed25519;
        String rsa;
        try {
            ed25519 = fingerprint(first, "ed25519");
            rsa = fingerprint(first, "rsa");
        } finally {
            first.close();
        }

        FerryInstance restarted = keep(FerryInstance.start(first.database(), first.storageRoot(), Map.of()));

        assertThat(fingerprint(restarted, "ed25519")).isEqualTo(ed25519);
        assertThat(fingerprint(restarted, "rsa")).isEqualTo(rsa);
    }

    @Test
    void replicasStartingTogetherOnAnEmptyDatabaseAgreeOnHostKeysAndAdmin() throws Exception {
        TestPostgres.Database database = TestPostgres.get().newDatabase();
        Path storage = FerryInstance.tempDir("ferry-files");
        CompletableFuture<FerryInstance> a = CompletableFuture.supplyAsync(() -> FerryInstance.start(database, storage, Map.of()));
        CompletableFuture<FerryInstance> b = CompletableFuture.supplyAsync(() -> FerryInstance.start(database, storage, Map.of()));
        CompletableFuture.allOf(a, b).exceptionally(e -> null).get(180, TimeUnit.SECONDS);
        // Close whichever started, even when the other did not.
        List.of(a, b).stream().filter(f -> !f.isCompletedExceptionally()).forEach(f -> keep(f.join()));
        FerryInstance first = a.get();
        FerryInstance second = b.get();

        assertThat(fingerprint(second, "ed25519")).isEqualTo(fingerprint(first, "ed25519"));
        assertThat(fingerprint(second, "rsa")).isEqualTo(fingerprint(first, "rsa"));

        // The admin bootstrap the replicas also race on, made to collide every time: one wins,
        // the others create nothing and do not fail (a failure there aborts a replica's start).
        AdminAccounts[] accounts = {first.bean(AdminAccounts.class), second.bean(AdminAccounts.class)};
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Boolean>> attempts = IntStream.range(0, 6)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> {
                    awaitQuietly(go);
                    return accounts[i % 2].createIfAbsent("racer", "password-" + i, AdminRole.ADMIN);
                }))
                .toList();
        go.countDown();
        List<Boolean> created = new ArrayList<>();
        for (CompletableFuture<Boolean> attempt : attempts) {
            created.add(attempt.get(60, TimeUnit.SECONDS));
        }
        assertThat(created).containsOnlyOnce(true);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private FerryInstance keep(FerryInstance instance) {
        instances.add(instance);
        return instance;
    }

    static String fingerprint(FerryInstance instance, String type) {
        return HostKeyScan.fingerprint(instance.sftpPort(), type);
    }

    private static String storedFingerprint(TestPostgres.Database database, String algorithm) throws Exception {
        try (Connection c = DriverManager.getConnection(database.url(), database.username(), database.password());
                PreparedStatement select = c.prepareStatement("select fingerprint from host_keys where algorithm = ?")) {
            select.setString(1, algorithm);
            try (ResultSet rows = select.executeQuery()) {
                assertThat(rows.next()).isTrue();
                return rows.getString(1);
            }
        }
    }
}
