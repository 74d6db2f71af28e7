package dev.ferry.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.ferry.sessions.SessionRegistry;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.TestPostgres;
import dev.ferry.testsupport.Users;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.client.session.ClientSession.ClientSessionEvent;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.signature.BuiltinSignatures;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.OpenMode;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.common.SftpException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * Three Ferry instances sharing one PostgreSQL and one storage root behind a real HAProxy (the
 * Debian package, started here as a child process) that speaks PROXY protocol v2 to them, as a
 * cloud TCP load balancer would: uploads through the balancer land once, the host key is the same
 * everywhere, a quota and a session cap hold across the instances, the audit shows the client's
 * address, and stopping one instance during transfers loses no upload its client saw confirmed
 * while the other two keep serving.
 *
 * <p>Every client connects from 127.0.0.2 (Linux routes all of 127.0.0.0/8 to the loopback), the
 * balancer's connections to Ferry come from 127.0.0.1, the only trusted proxy: so an address in
 * the audit is the client's, told by the PROXY header, and not the balancer's. Connections made
 * straight to an instance from 127.0.0.2 are plain SSH (not from a trusted proxy), which the test
 * uses to look at each instance on its own.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterBehindHaproxyIT {

    static final String CLIENT_ADDRESS = "127.0.0.2";
    static final String PROXY_ADDRESS = "127.0.0.1";
    static final Duration TIMEOUT = Duration.ofSeconds(20);
    static final int KIB = 1024;
    static final int MIB = 1024 * 1024;

    static final KeyPair KEY = TestKeys.ed25519();
    static final List<FerryInstance> instances = new ArrayList<>();
    static Haproxy haproxy;
    static Path work;

    @BeforeAll
    static void start() throws Exception {
        Path binary = Haproxy.binary(); // fails first, with the reason, when HAProxy is not installed
        assertClientAddressUsable();
        work = FerryInstance.tempDir("ferry-cluster");
        var database = TestPostgres.get().newDatabase();
        Path root = FerryInstance.tempDir("ferry-cluster-files");
        Map<String, String> settings = Map.of(
                "sftp.trusted-proxies", PROXY_ADDRESS + "/32",
                "sftp.shutdown-grace", "2s");
        // The first instance creates the schema and the host keys; the other two then start together.
        instances.add(FerryInstance.start(database, root, settings));
        var second = CompletableFuture.supplyAsync(() -> FerryInstance.start(database, root, settings));
        var third = CompletableFuture.supplyAsync(() -> FerryInstance.start(database, root, settings));
        instances.add(second.get(120, TimeUnit.SECONDS));
        instances.add(third.get(120, TimeUnit.SECONDS));
        haproxy = Haproxy.start(binary, work, instances.stream().map(FerryInstance::sftpPort).toList());
    }

    @AfterAll
    static void stop() {
        if (haproxy != null) {
            haproxy.close();
        }
        for (FerryInstance instance : instances) {
            try {
                instance.close();
            } catch (RuntimeException e) {
                // already stopped (the failover test), or failing to stop: the others still close
            }
        }
    }

    // ------------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void theHostKeyIsTheSameFromEveryInstanceAndThroughTheBalancer() throws Exception {
        // MINA's client straight to each instance: ed25519 and RSA (rsa-sha2-512) host keys.
        Set<String> ed25519 = new TreeSet<>();
        Set<String> rsa = new TreeSet<>();
        for (FerryInstance instance : instances) {
            ed25519.add(PublicKeyEntry.toString(hostKey(instance.sftpPort(), false)));
            rsa.add(PublicKeyEntry.toString(hostKey(instance.sftpPort(), true)));
        }
        assertThat(ed25519).as("ed25519 host keys of the three instances").hasSize(1);
        assertThat(rsa).as("RSA host keys of the three instances").hasSize(1);

        // Through the balancer, with MINA's client and with OpenSSH's ssh-keyscan: three
        // consecutive connections of a kind reach the three instances in turn (roundrobin).
        for (int i = 0; i < 3; i++) {
            ed25519.add(PublicKeyEntry.toString(hostKey(haproxy.port(), false)));
            rsa.add(PublicKeyEntry.toString(hostKey(haproxy.port(), true)));
        }
        for (int i = 0; i < 3; i++) {
            ed25519.add(keyscan("ed25519"));
        }
        for (int i = 0; i < 3; i++) {
            rsa.add(keyscan("rsa"));
        }
        assertThat(ed25519).as("ed25519 host keys, directly and through HAProxy").hasSize(1);
        assertThat(rsa).as("RSA host keys, directly and through HAProxy").hasSize(1);
        assertThat(ed25519.iterator().next()).startsWith("ssh-ed25519 ");
        assertThat(rsa.iterator().next()).startsWith("ssh-rsa ");
    }

    @Test
    @Order(2)
    void uploadsThroughTheBalancerLandExactlyOnceAndAreVisibleFromEveryInstance() throws Exception {
        Users.create(instances.get(0).admin(), "once", KEY, null);
        int uploads = 12;
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (int i = 0; i < uploads; i++) {
            files.put("file-" + i + ".bin", random(i, 100 * KIB + i * 7919));
        }
        Map<FerryInstance, Double> loginsBefore = loginsPerInstance();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (var file : files.entrySet()) {
                done.add(pool.submit(() -> {
                    try (Conn conn = login(haproxy.port(), "once")) {
                        upload(conn.sftp(), "/" + file.getKey(), file.getValue(), 0);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        // Each upload was its own connection: the balancer spread them over all three instances.
        Map<FerryInstance, Double> logins = loginsPerInstance();
        for (FerryInstance instance : instances) {
            assertThat(logins.get(instance) - loginsBefore.get(instance)).as("logins on the instance on port " + instance.sftpPort())
                    .isGreaterThanOrEqualTo(1);
        }

        // Every instance lists each file once, with its content.
        for (FerryInstance instance : instances) {
            try (Conn conn = login(instance.sftpPort(), "once")) {
                List<String> names = new ArrayList<>();
                conn.sftp().readDir("/").forEach(e -> names.add(e.getFilename()));
                names.removeAll(List.of(".", ".."));
                assertThat(names).as("listing on the instance on port " + instance.sftpPort())
                        .containsExactlyInAnyOrderElementsOf(files.keySet());
                for (var file : files.entrySet()) {
                    assertThat(read(conn.sftp(), "/" + file.getKey())).as(file.getKey()).isEqualTo(file.getValue());
                }
            }
        }
        // On disk: exactly these files, nothing left staged.
        Path home = instances.get(0).homeOf("once");
        try (Stream<Path> listed = Files.list(home)) {
            assertThat(listed.map(p -> p.getFileName().toString()).toList()).containsExactlyInAnyOrderElementsOf(files.keySet());
        }
        awaitNothingStaged();
        // One UPLOAD record per file, with the content's digest; asked of each instance.
        for (FerryInstance instance : instances) {
            JsonNode records = instance.admin().get("/api/v1/audit?type=UPLOAD&username=once&size=100").json().get("content");
            Map<String, Integer> perPath = new HashMap<>();
            for (JsonNode r : records) {
                String name = r.get("path").asText().replaceFirst("^/", "");
                perPath.merge(name, 1, Integer::sum);
                assertThat(r.get("status").asText()).isEqualTo("OK");
                assertThat(r.get("sha256").asText()).as(name).isEqualTo(sha256(files.get(name)));
            }
            assertThat(perPath).as("UPLOAD records per file").hasSize(uploads).allSatisfy((name, count) -> assertThat(count).isOne());
        }
        assertThat(Users.usedFiles(instances.get(2).admin(), "once")).isEqualTo(uploads);
    }

    @Test
    @Order(3)
    void aQuotaHoldsAcrossTheInstances() throws Exception {
        long quota = 10L * MIB;
        int fileSize = 3 * MIB;
        Users.create(instances.get(0).admin(), "quota", KEY, "\"quota\":{\"maxBytes\":" + quota + "}");
        byte[] data = random(42, fileSize);
        Map<FerryInstance, Double> loginsBefore = loginsPerInstance();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Boolean>> results = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                String name = "/part-" + i + ".bin";
                results.add(pool.submit(() -> {
                    try (Conn conn = login(haproxy.port(), "quota")) {
                        SftpClient sftp = conn.sftp();
                        SftpClient.CloseableHandle h = sftp.open(name, OpenMode.Write, OpenMode.Create, OpenMode.Truncate);
                        try {
                            for (int off = 0; off < fileSize; off += 64 * KIB) {
                                sftp.write(h, off, data, off, 64 * KIB);
                            }
                            h.close();
                            return true;
                        } catch (SftpException e) {
                            assertThat(e.getMessage()).startsWith("quota exceeded");
                            try {
                                h.close();
                            } catch (SftpException expected) {
                                // the refused upload is discarded on CLOSE
                            }
                            return false;
                        }
                    }
                }));
            }
            int succeeded = 0;
            for (Future<Boolean> result : results) {
                succeeded += result.get(60, TimeUnit.SECONDS) ? 1 : 0;
            }
            Map<FerryInstance, Double> logins = loginsPerInstance();
            for (FerryInstance instance : instances) {
                assertThat(logins.get(instance) - loginsBefore.get(instance)).as("uploads on the instance on port " + instance.sftpPort())
                        .isGreaterThanOrEqualTo(1);
            }
            long stored;
            try (Stream<Path> files = Files.list(instances.get(0).homeOf("quota"))) {
                List<Path> list = files.toList();
                for (Path p : list) {
                    assertThat(Files.readAllBytes(p)).as(p.getFileName().toString()).isEqualTo(data);
                }
                stored = list.stream().mapToLong(p -> p.toFile().length()).sum();
            }
            assertThat(succeeded).isBetween(1, 3);
            assertThat(stored).isEqualTo((long) succeeded * fileSize).isLessThanOrEqualTo(quota);
            awaitNothingStaged();
            for (FerryInstance instance : instances) {
                awaitUsage(instance, "quota", stored, succeeded);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Order(4)
    void aSessionCapHoldsAcrossTheInstances() throws Exception {
        Users.create(instances.get(0).admin(), "cap", KEY, "\"maxSessions\":2");
        try (Conn first = login(haproxy.port(), "cap"); Conn second = login(haproxy.port(), "cap")) {
            // Three more connections in a row through the balancer reach each instance once: all refused.
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(() -> login(haproxy.port(), "cap").close()).as("a third session through HAProxy")
                        .isInstanceOf(IOException.class);
            }
            for (FerryInstance instance : instances) {
                assertThatThrownBy(() -> login(instance.sftpPort(), "cap").close())
                        .as("a third session on the instance on port " + instance.sftpPort()).isInstanceOf(IOException.class);
            }
            List<JsonNode> live = sessionsOf("cap");
            assertThat(live).hasSize(2);
            assertThat(first.sftp().canonicalPath(".")).isEqualTo("/");
            second.close();
            try (Conn third = login(haproxy.port(), "cap")) {
                assertThat(third.sftp().canonicalPath(".")).isEqualTo("/");
            }
        }
    }

    @Test
    @Order(5)
    void theAuditShowsTheClientAddressTheBalancerSaw() throws Exception {
        Users.create(instances.get(0).admin(), "whois", KEY, null);
        byte[] content = "seen through HAProxy\n".getBytes(StandardCharsets.UTF_8);
        String sessionId;
        try (Conn conn = login(haproxy.port(), "whois")) {
            upload(conn.sftp(), "/seen.txt", content, 0);
            List<JsonNode> live = sessionsOf("whois");
            assertThat(live).hasSize(1);
            assertThat(live.get(0).get("remoteAddress").asText()).isEqualTo(CLIENT_ADDRESS);
            sessionId = live.get(0).get("id").asText();
        }
        for (FerryInstance instance : instances) {
            JsonNode records = awaitAudit(instance, "whois", Set.of("LOGIN", "UPLOAD", "LOGOUT"));
            for (JsonNode r : records) {
                assertThat(r.get("remoteAddress").isNull()).as("remoteAddress of %s", r).isFalse();
                assertThat(r.get("remoteAddress").asText()).as("remoteAddress of %s", r).isEqualTo(CLIENT_ADDRESS);
                assertThat(r.get("sessionId").isNull()).as("sessionId of %s", r).isFalse();
                assertThat(r.get("sessionId").asText()).as("sessionId of %s", r).isEqualTo(sessionId);
            }
            JsonNode upload = recordOf(records, "UPLOAD");
            assertThat(upload.get("path").asText()).isEqualTo("/seen.txt");
            assertThat(upload.get("sha256").asText()).isEqualTo(sha256(content));
        }
        // Nothing any instance recorded names the balancer as a client.
        JsonNode all = instances.get(1).admin().get("/api/v1/audit?size=500").json().get("content");
        for (JsonNode r : all) {
            if (!r.get("type").asText().equals("ADMIN")) {
                assertThat(r.get("remoteAddress").asText()).as("%s", r).isEqualTo(CLIENT_ADDRESS);
            }
        }
        // Three instances appended to one hash chain concurrently: it is still whole.
        JsonNode chain = instances.get(2).admin().get("/api/v1/audit/verify").json();
        assertThat(chain.get("valid").asBoolean()).as(chain.toString()).isTrue();
    }

    @Test
    @Order(6)
    void stoppingAnInstanceDuringUploadsLosesNoConfirmedUploadAndTheOthersKeepServing() throws Exception {
        int uploads = 6;
        int size = 2 * MIB;
        List<String> users = new ArrayList<>();
        Map<String, byte[]> oldContent = new HashMap<>();
        Map<String, byte[]> newContent = new HashMap<>();
        for (int i = 0; i < uploads; i++) {
            String user = "fo" + i;
            users.add(user);
            Users.create(instances.get(0).admin(), user, KEY, null);
            newContent.put(user, random(100 + i, size));
            if (i % 2 == 1) { // every other upload overwrites a file that exists
                byte[] old = random(200 + i, 300 * KIB);
                oldContent.put(user, old);
                try (Conn conn = login(instances.get(i % 3).sftpPort(), user)) {
                    upload(conn.sftp(), "/data.bin", old, 0);
                }
            }
        }
        Users.create(instances.get(0).admin(), "after", KEY, null);

        // Six uploads through the balancer, connected one after the other (two per instance),
        // each paced to last longer than the one before: 0.5 s, 1.5 s, ... 5.5 s.
        List<Conn> conns = new ArrayList<>();
        Map<String, Upload> running = new LinkedHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(uploads);
        CompletableFuture<Void> stopping = null;
        FerryInstance victim;
        List<FerryInstance> survivors;
        try {
            for (String user : users) {
                conns.add(login(haproxy.port(), user));
            }
            Map<String, String> instanceOf = new HashMap<>();
            for (String user : users) {
                List<JsonNode> live = sessionsOf(user);
                assertThat(live).as("sessions of " + user).hasSize(1);
                instanceOf.put(user, live.get(0).get("instance").asText());
            }
            String victimId = instanceOf.get(users.get(0));
            victim = instances.stream().filter(f -> f.bean(SessionRegistry.class).instanceId().equals(victimId)).findFirst()
                    .orElseThrow();
            survivors = instances.stream().filter(f -> f != victim).toList();
            for (int i = 0; i < uploads; i++) {
                String user = users.get(i);
                Conn conn = conns.get(i);
                long pauseMicros = (500_000L + 1_000_000L * i) / (size / (64 * KIB));
                Future<Boolean> result = pool.submit(() -> {
                    upload(conn.sftp(), "/data.bin", newContent.get(user), pauseMicros);
                    return true;
                });
                running.put(user, new Upload(user, instanceOf.get(user).equals(victimId), result));
            }
            Thread.sleep(200);

            // Stop one instance (what SIGTERM does) while all six are writing.
            stopping = CompletableFuture.runAsync(victim::close);
            // A connection the instance accepted before it stopped accepting is still served by it
            // (and may be cut when its grace ends): new uploads start once it refuses connections.
            awaitRefused(victim.sftpPort());

            // New uploads through the balancer keep succeeding meanwhile (the stopped instance is
            // still draining, and HAProxy may not have noticed yet), on the other two.
            Set<String> survivorIds = new TreeSet<>();
            survivors.forEach(f -> survivorIds.add(f.bean(SessionRegistry.class).instanceId()));
            for (int i = 0; i < 6; i++) {
                byte[] data = random(300 + i, 200 * KIB);
                try (Conn conn = loginThroughBalancerWithRetries("after")) {
                    // (the previous connection's session may still be listed for a moment)
                    List<JsonNode> live = sessionsOf("after", survivors.get(0));
                    assertThat(live).isNotEmpty().allSatisfy(s -> assertThat(s.get("instance").asText()).isIn(survivorIds));
                    upload(conn.sftp(), "/new-" + i + ".bin", data, 0);
                }
                assertThat(Files.readAllBytes(survivors.get(0).homeOf("after").resolve("new-" + i + ".bin"))).isEqualTo(data);
            }

            Map<String, String> outcomes = new LinkedHashMap<>();
            for (Upload upload : running.values()) {
                try {
                    upload.result().get(60, TimeUnit.SECONDS);
                    outcomes.put(upload.user(), "confirmed");
                } catch (java.util.concurrent.ExecutionException e) {
                    outcomes.put(upload.user(), "failed: " + e.getCause());
                }
            }
            stopping.get(60, TimeUnit.SECONDS);
            System.out.println("ClusterBehindHaproxyIT failover outcomes (victim " + victimId + "): " + outcomes
                    + ", on the victim: " + running.values().stream().filter(Upload::onVictim).map(Upload::user).toList());

            for (Upload upload : running.values()) {
                String user = upload.user();
                boolean confirmed = outcomes.get(user).equals("confirmed");
                if (!upload.onVictim()) {
                    assertThat(outcomes.get(user)).as("upload of %s on an instance that kept running", user).isEqualTo("confirmed");
                }
                // What each remaining instance serves, and what is on disk.
                List<byte[]> seen = new ArrayList<>();
                for (FerryInstance survivor : survivors) {
                    try (Conn conn = login(survivor.sftpPort(), user)) {
                        seen.add(exists(conn.sftp(), "/data.bin") ? read(conn.sftp(), "/data.bin") : null);
                    }
                }
                Path onDisk = victim.homeOf(user).resolve("data.bin");
                seen.add(Files.exists(onDisk) ? Files.readAllBytes(onDisk) : null);
                for (byte[] content : seen) {
                    if (confirmed) {
                        assertThat(content).as("%s: an upload whose CLOSE succeeded is there, complete", user)
                                .isEqualTo(newContent.get(user));
                    } else if (content == null) {
                        assertThat(oldContent).as("%s: a failed upload of a new file leaves nothing", user).doesNotContainKey(user);
                    } else {
                        // intact: the old version, or (the reply to CLOSE lost with the connection) the whole new one
                        assertThat(List.of(oldContent.get(user) == null ? new byte[0] : oldContent.get(user), newContent.get(user)))
                                .as("%s: a failed upload leaves the old file or the complete new one, never a part", user)
                                .anySatisfy(expected -> assertThat(content).isEqualTo(expected));
                    }
                }
            }
            assertThat(outcomes.values()).as("uploads confirmed").contains("confirmed");
        } finally {
            for (Conn conn : conns) {
                try {
                    conn.close();
                } catch (RuntimeException | IOException e) {
                    // ended by the server
                }
            }
            pool.shutdownNow();
            if (stopping != null) {
                stopping.get(60, TimeUnit.SECONDS);
            }
        }
        awaitNothingStaged();

        // Once the balancer's health check has taken the stopped instance out, every new
        // connection reaches a remaining instance at the first attempt.
        Thread.sleep(1500);
        for (int i = 0; i < 4; i++) {
            try (Conn conn = login(haproxy.port(), "after")) {
                upload(conn.sftp(), "/later-" + i + ".bin", random(400 + i, 64 * KIB), 0);
            }
        }
    }

    // ------------------------------------------------------------------------------------------

    record Upload(String user, boolean onVictim, Future<Boolean> result) {
    }

    /** An authenticated SFTP session from {@link #CLIENT_ADDRESS}. */
    record Conn(ClientSession session, SftpClient sftp) implements AutoCloseable {

        @Override
        public void close() throws IOException {
            try {
                sftp.close();
            } finally {
                session.close(true);
            }
        }
    }

    static Conn login(int port, String username) throws IOException {
        ClientSession session = SftpTestClient.sshClient()
                .connect(username, new InetSocketAddress(PROXY_ADDRESS, port), new InetSocketAddress(CLIENT_ADDRESS, 0))
                .verify(TIMEOUT).getSession();
        try {
            session.addPublicKeyIdentity(KEY);
            session.auth().verify(TIMEOUT);
            return new Conn(session, SftpClientFactory.instance().createSftpClient(session));
        } catch (IOException | RuntimeException e) {
            session.close(true);
            throw e;
        }
    }

    /**
     * A login through the balancer, tried again a few times: a connection can reach the stopping
     * instance between its refusing connections and the next health check taking it out.
     */
    static Conn loginThroughBalancerWithRetries(String username) throws Exception {
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                return login(haproxy.port(), username);
            } catch (IOException e) {
                last = e;
                System.out.println("ClusterBehindHaproxyIT: a login through HAProxy failed, trying again: " + e);
                Thread.sleep(300);
            }
        }
        throw last;
    }

    static void upload(SftpClient sftp, String path, byte[] data, long pauseMicrosPerChunk) throws Exception {
        int chunk = 64 * KIB;
        try (SftpClient.CloseableHandle h = sftp.open(path, OpenMode.Write, OpenMode.Create, OpenMode.Truncate)) {
            for (int off = 0; off < data.length; off += chunk) {
                sftp.write(h, off, data, off, Math.min(chunk, data.length - off));
                if (pauseMicrosPerChunk > 0) {
                    TimeUnit.MICROSECONDS.sleep(pauseMicrosPerChunk);
                }
            }
        }
    }

    static byte[] read(SftpClient sftp, String path) throws IOException {
        try (InputStream in = sftp.read(path)) {
            return in.readAllBytes();
        }
    }

    static boolean exists(SftpClient sftp, String path) throws IOException {
        try {
            sftp.stat(path);
            return true;
        } catch (SftpException e) {
            return false;
        }
    }

    /** The host key an instance (or the balancer) presents: ed25519, or RSA when asked for. */
    static PublicKey hostKey(int port, boolean rsa) throws IOException {
        PublicKey[] seen = new PublicKey[1];
        SshClient client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier((session, address, key) -> {
            seen[0] = key;
            return true;
        });
        if (rsa) {
            client.setSignatureFactories(List.of(BuiltinSignatures.rsaSHA512));
        }
        client.start();
        try (ClientSession session = client.connect("nobody", new InetSocketAddress(PROXY_ADDRESS, port),
                new InetSocketAddress(CLIENT_ADDRESS, 0)).verify(TIMEOUT).getSession()) {
            session.waitFor(EnumSet.of(ClientSessionEvent.WAIT_AUTH, ClientSessionEvent.CLOSED), TIMEOUT);
        } finally {
            client.stop();
        }
        assertThat(seen[0]).as("host key offered on port " + port).isNotNull();
        System.out.println("ClusterBehindHaproxyIT host key on port " + port + ": " + KeyUtils.getFingerPrint(seen[0]));
        return seen[0];
    }

    /** {@code ssh-keyscan} (OpenSSH) through the balancer: "type base64" of the one key of that type. */
    static String keyscan(String type) throws Exception {
        Process p = new ProcessBuilder("ssh-keyscan", "-T", "10", "-t", type, "-p", String.valueOf(haproxy.port()), PROXY_ADDRESS)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        List<String> lines = out.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
        assertThat(lines).as("ssh-keyscan -t " + type + " output").hasSize(1);
        String[] parts = lines.get(0).split(" ");
        return parts[1] + " " + parts[2];
    }

    static Map<FerryInstance, Double> loginsPerInstance() {
        Map<FerryInstance, Double> logins = new HashMap<>();
        for (FerryInstance instance : instances) {
            var counter = instance.bean(MeterRegistry.class).find("ferry.sftp.logins").tag("outcome", "success").counter();
            logins.put(instance, counter == null ? 0.0 : counter.count());
        }
        return logins;
    }

    static List<JsonNode> sessionsOf(String username) {
        return sessionsOf(username, instances.get(0));
    }

    static List<JsonNode> sessionsOf(String username, FerryInstance asking) {
        var response = asking.admin().get("/api/v1/sessions");
        assertThat(response.status()).isEqualTo(200);
        List<JsonNode> mine = new ArrayList<>();
        for (JsonNode s : response.json()) {
            if (s.get("username").asText().equals(username)) {
                mine.add(s);
            }
        }
        return mine;
    }

    static JsonNode awaitAudit(FerryInstance instance, String username, Set<String> types) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            JsonNode records = instance.admin().get("/api/v1/audit?username=" + username + "&size=100").json().get("content");
            Set<String> seen = new TreeSet<>();
            records.forEach(r -> seen.add(r.get("type").asText()));
            if (seen.containsAll(types)) {
                return records;
            }
            if (System.nanoTime() > deadline) {
                fail("audit records of " + username + " lack some of " + types + ": " + records);
            }
            Thread.sleep(100);
        }
    }

    static JsonNode recordOf(JsonNode records, String type) {
        for (JsonNode r : records) {
            if (r.get("type").asText().equals(type)) {
                return r;
            }
        }
        throw new AssertionError("no " + type + " record in " + records);
    }

    static void awaitUsage(FerryInstance instance, String username, long bytes, long files) throws InterruptedException {
        Users.awaitUsage(instance.admin(), username, bytes, files, Duration.ofSeconds(5));
    }

    static void awaitNothingStaged() throws Exception {
        Path staging = instances.get(0).storageRoot().resolve(".ferry-staging");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            List<String> staged = List.of();
            if (Files.isDirectory(staging)) {
                try (Stream<Path> files = Files.list(staging)) {
                    staged = files.map(p -> p.getFileName().toString()).toList();
                }
            }
            if (staged.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail("staged uploads left behind: " + staged);
            }
            Thread.sleep(100);
        }
    }

    static void awaitRefused(int port) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.bind(new InetSocketAddress(CLIENT_ADDRESS, 0));
                socket.connect(new InetSocketAddress(PROXY_ADDRESS, port), 1000);
            } catch (java.net.ConnectException refused) {
                return;
            } catch (IOException other) {
                // timeout or reset: try again
            }
            Thread.sleep(20);
        }
        fail("the stopping instance still accepted SFTP connections 10 s after its shutdown began");
    }

    static byte[] random(long seed, int size) {
        byte[] data = new byte[size];
        new SplittableRandom(seed).nextBytes(data);
        return data;
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    /** Clients connect from 127.0.0.2 so that the balancer's address (127.0.0.1) is never the client's. */
    static void assertClientAddressUsable() throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(CLIENT_ADDRESS, 0));
        } catch (BindException e) {
            fail("cannot bind a client socket to " + CLIENT_ADDRESS + " (" + e.getMessage() + "): this test needs the whole "
                    + "127.0.0.0/8 on the loopback interface, as Linux has it");
        }
    }

    /** HAProxy in the foreground with a generated configuration; stopped by {@link #close()}. */
    static final class Haproxy implements AutoCloseable {

        private final Process process;
        private final int port;
        private final Path log;

        private Haproxy(Process process, int port, Path log) {
            this.process = process;
            this.port = port;
            this.log = log;
        }

        /** The haproxy program (Debian puts it in /usr/sbin, often not on a user's PATH). */
        static Path binary() {
            List<Path> candidates = new ArrayList<>();
            for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    candidates.add(Path.of(dir, "haproxy"));
                }
            }
            candidates.addAll(List.of(Path.of("/usr/sbin/haproxy"), Path.of("/usr/local/sbin/haproxy")));
            return candidates.stream().filter(Files::isExecutable).findFirst().orElseThrow(() -> new AssertionError(
                    "HAProxy is not installed: ClusterBehindHaproxyIT runs three Ferry instances behind a real HAProxy. "
                            + "Install the Debian package (sudo apt-get install haproxy; .ci/run does) and run the test again."));
        }

        static Haproxy start(Path binary, Path dir, List<Integer> serverPorts) throws Exception {
            int port = dev.ferry.testsupport.FreePorts.next();
            StringBuilder config = new StringBuilder("""
                    global
                        maxconn 1024

                    defaults
                        mode tcp
                        timeout connect 2s
                        timeout client 2m
                        timeout server 2m
                        # A connection refused by a stopping instance is sent to another one.
                        retries 2
                        option redispatch

                    frontend sftp
                        bind %s:%d
                        default_backend ferry

                    backend ferry
                        balance roundrobin
                    """.formatted(PROXY_ADDRESS, port));
            for (int i = 0; i < serverPorts.size(); i++) {
                config.append("    server f%d %s:%d send-proxy-v2 check inter 500ms fall 1 rise 1 check-send-proxy\n"
                        .formatted(i + 1, PROXY_ADDRESS, serverPorts.get(i)));
            }
            Path cfg = dir.resolve("haproxy.cfg");
            Files.writeString(cfg, config);
            Path log = dir.resolve("haproxy.log");
            // -db: stay in the foreground (no daemon), so the test owns the process and stops it.
            Process process = new ProcessBuilder(binary.toString(), "-db", "-f", cfg.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Haproxy haproxy = new Haproxy(process, port, log);
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (true) {
                if (!process.isAlive()) {
                    fail("HAProxy exited at start with code " + process.exitValue() + ":\n" + haproxy.output() + "\nconfiguration:\n" + config);
                }
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(PROXY_ADDRESS, port), 500);
                    return haproxy;
                } catch (IOException notYet) {
                    if (System.nanoTime() > deadline) {
                        haproxy.close();
                        fail("HAProxy did not listen on " + port + " within 10 s:\n" + haproxy.output());
                    }
                    Thread.sleep(100);
                }
            }
        }

        int port() {
            return port;
        }

        String output() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                return "(no output: " + e + ")";
            }
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
