package dev.ferry.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.TestPostgres;
import dev.ferry.testsupport.Users;
import java.io.IOException;
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHPosixRenameExtension;
import org.apache.sshd.sftp.common.SftpException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The mix around file actions and retention: 20 SFTP sessions in the same few names while a move
 * rule carries every partner upload into the ops user's directory and retention runs over it again
 * and again. Ops sessions upload, remove, rename and age the very names the action publishes;
 * partner sessions overwrite and remove their uploads, and some vanish mid-upload. Whatever
 * interleaving happens, afterwards both users' quota usage is exactly what their homes hold (the
 * action and retention change names under the same locks as SFTP sessions), every delivery ended
 * (delivered, or dead because a later change took its source first).
 */
class FileActionsMixIT {

    static final int SESSIONS_PER_USER = 10;
    static final int ROUNDS = 40;
    static final int NAMES = 4;
    static final Instant AGED = Instant.parse("2020-01-01T00:00:00Z");

    static FerryInstance ferry;
    static AdminClient admin;

    @BeforeAll
    static void start() {
        ferry = FerryInstance.start(TestPostgres.get().newDatabase(), FerryInstance.tempDir("ferry-file-actions-mix"), EventsIT.SETTINGS);
        admin = ferry.admin();
    }

    @AfterAll
    static void stop() {
        if (ferry != null) {
            ferry.close();
        }
    }

    @Test
    void usageMatchesTheHomesAfterSessionsMovesAndRetentionRaceOverTheSameNames() throws Exception {
        KeyPair partnerKey = TestKeys.ed25519();
        KeyPair opsKey = TestKeys.ed25519();
        String quota = "\"quota\":{\"maxBytes\":1000000000,\"maxFiles\":100000}";
        Users.create(admin, "mix-partner", partnerKey, quota);
        Users.create(admin, "mix-ops", opsKey, quota);
        var move = admin.post("/api/v1/event-rules", "{\"name\":\"mix-move\",\"events\":[\"UPLOAD\"],\"usernames\":[\"mix-partner\"],"
                + "\"paths\":[\"/inbox/*\"],\"actions\":[{\"type\":\"move\",\"to\":\"/out/{filename}\",\"username\":\"mix-ops\"}]}");
        assertThat(move.status()).as(move.body()).isEqualTo(201);
        var retention = admin.post("/api/v1/retention-rules", "{\"name\":\"mix-out\",\"path\":\"/out/**\",\"username\":\"mix-ops\",\"days\":30}");
        assertThat(retention.status()).as(retention.body()).isEqualTo(201);
        long retentionId = retention.json().get("id").asLong();
        try (SftpTestClient sftp = SftpTestClient.withKey(ferry.sftpPort(), "mix-partner", partnerKey)) {
            sftp.sftp().mkdir("/inbox");
        }
        try (SftpTestClient sftp = SftpTestClient.withKey(ferry.sftpPort(), "mix-ops", opsKey)) {
            sftp.sftp().mkdir("/out");
        }

        ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
        AtomicBoolean sessionsDone = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(2 * SESSIONS_PER_USER + 1);
        List<Future<?>> sessions = new ArrayList<>();
        try {
            for (int i = 0; i < SESSIONS_PER_USER; i++) {
                long seed = i;
                sessions.add(pool.submit(() -> partner(partnerKey, new Random(seed), unexpected)));
                sessions.add(pool.submit(() -> ops(opsKey, new Random(1000 + seed), unexpected)));
            }
            Future<?> sweeper = pool.submit(() -> {
                while (!sessionsDone.get()) {
                    int status = admin.post("/api/v1/retention-rules/" + retentionId + "/run", "").status();
                    if (status != 200 && status != 409) { // 409: a run is going on
                        unexpected.add("retention run answered " + status);
                    }
                }
                return null;
            });
            for (Future<?> session : sessions) {
                session.get();
            }
            sessionsDone.set(true);
            sweeper.get();
        } finally {
            pool.shutdownNow();
        }
        assertThat(unexpected).isEmpty();

        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (admin.get("/api/v1/event-deliveries?rule=mix-move&status=pending").json().get("totalElements").asLong() > 0) {
            assertThat(System.nanoTime()).as("every delivery of mix-move delivered or dead within 2 minutes").isLessThan(deadline);
            Thread.sleep(200);
        }
        for (JsonNode dead : admin.get("/api/v1/event-deliveries?rule=mix-move&status=dead&size=500").json().get("content")) {
            // the only reason a move may give up: its source was overwritten, removed or moved by a later event first
            assertThat(dead.get("lastError").asString()).as(dead.toString()).contains("is not a stored file");
        }
        assertThat(admin.get("/api/v1/event-deliveries?rule=mix-move&status=delivered").json().get("totalElements").asLong())
                .isPositive();
        for (Map.Entry<String, KeyPair> user : Map.of("mix-partner", partnerKey, "mix-ops", opsKey).entrySet()) {
            long[] stored = stored(user.getKey(), user.getValue());
            Users.awaitUsage(admin, user.getKey(), stored[0], stored[1], Duration.ofSeconds(30));
        }
    }

    /** Uploads over the watched names, removes some, and vanishes mid-upload now and then. */
    private static Void partner(KeyPair key, Random random, ConcurrentLinkedQueue<String> unexpected) throws IOException {
        SftpTestClient sftp = SftpTestClient.withKey(ferry.sftpPort(), "mix-partner", key);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                String name = "/inbox/f" + random.nextInt(NAMES) + ".csv";
                int dice = random.nextInt(10);
                try {
                    if (dice < 7) {
                        sftp.put(name, bytes(random));
                    } else if (dice < 9) {
                        sftp.sftp().remove(name);
                    } else {
                        SftpClient.Handle handle = sftp.sftp().open(name, SftpClient.OpenMode.Write, SftpClient.OpenMode.Create,
                                SftpClient.OpenMode.Truncate);
                        sftp.sftp().write(handle, 0, bytes(random));
                        sftp.close(); // gone without its CLOSE
                        sftp = SftpTestClient.withKey(ferry.sftpPort(), "mix-partner", key);
                    }
                } catch (SftpException e) {
                    expectedRace(e, unexpected, name);
                }
            }
        } finally {
            sftp.close();
        }
        return null;
    }

    /** Works in the names the move action publishes: uploads, removes, renames and ages them for retention. */
    private static Void ops(KeyPair key, Random random, ConcurrentLinkedQueue<String> unexpected) throws IOException {
        try (SftpTestClient sftp = SftpTestClient.withKey(ferry.sftpPort(), "mix-ops", key)) {
            for (int round = 0; round < ROUNDS; round++) {
                String name = "/out/f" + random.nextInt(NAMES) + ".csv";
                int dice = random.nextInt(10);
                try {
                    if (dice < 3) {
                        sftp.put(name, bytes(random));
                    } else if (dice < 5) {
                        sftp.sftp().remove(name);
                    } else if (dice < 7) {
                        sftp.sftp().getExtension(OpenSSHPosixRenameExtension.class).posixRename(name, "/out/f" + random.nextInt(NAMES) + ".csv");
                    } else {
                        SftpClient.Attributes aged = new SftpClient.Attributes();
                        aged.setModifyTime(FileTime.from(AGED));
                        aged.setAccessTime(FileTime.from(AGED));
                        sftp.sftp().setStat(name, aged);
                    }
                } catch (SftpException e) {
                    expectedRace(e, unexpected, name);
                }
            }
        }
        return null;
    }

    /** Another session (or the action, or retention) removed or replaced the name first: the one refusal a race may give. */
    private static void expectedRace(SftpException e, ConcurrentLinkedQueue<String> unexpected, String name) {
        if (e.getStatus() != org.apache.sshd.sftp.common.SftpConstants.SSH_FX_NO_SUCH_FILE) {
            unexpected.add(name + ": " + e);
        }
    }

    private static byte[] bytes(Random random) {
        byte[] data = new byte[1 + random.nextInt(20_000)];
        random.nextBytes(data);
        return data;
    }

    /** What the user's home holds, bytes and files, as a new session lists it. */
    private static long[] stored(String username, KeyPair key) throws IOException {
        long bytes = 0;
        long files = 0;
        try (SftpTestClient sftp = SftpTestClient.withKey(ferry.sftpPort(), username, key)) {
            List<String> dirs = new ArrayList<>(List.of("/"));
            while (!dirs.isEmpty()) {
                String dir = dirs.remove(dirs.size() - 1);
                for (SftpClient.DirEntry entry : sftp.sftp().readDir(dir)) {
                    String name = entry.getFilename();
                    if (name.equals(".") || name.equals("..")) {
                        continue;
                    }
                    String path = (dir.endsWith("/") ? dir : dir + "/") + name;
                    if (entry.getAttributes().isDirectory()) {
                        dirs.add(path);
                    } else if (entry.getAttributes().isRegularFile()) {
                        bytes += entry.getAttributes().getSize();
                        files++;
                    }
                }
            }
        }
        return new long[] {bytes, files};
    }
}
