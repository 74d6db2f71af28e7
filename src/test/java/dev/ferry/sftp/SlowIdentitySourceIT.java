package dev.ferry.sftp;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.AuthHookServer;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.TestPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.client.session.ClientSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An identity source that answers slowly (here the auth hook, held until the test lets it answer;
 * LDAP takes the same path) must not stall anyone else: with more password logins waiting on it
 * than MINA has I/O threads, a local user still logs in by key and by password and downloads,
 * and the waiting logins all succeed once it answers.
 */
class SlowIdentitySourceIT {

    /** More than MINA's I/O threads (cores + 1), so that checks on them would take them all. */
    static final int WAITING = 2 * (Runtime.getRuntime().availableProcessors() + 1) + 2;

    static final CountDownLatch answer = new CountDownLatch(1);
    static final AtomicInteger arrived = new AtomicInteger();
    static AuthHookServer hook;
    static FerryInstance ferry;
    static AdminClient admin;

    @BeforeAll
    static void start() throws IOException {
        hook = AuthHookServer.start(SlowIdentitySourceIT::heldAnswer);
        ferry = FerryInstance.start(TestPostgres.get().newDatabase(), FerryInstance.tempDir("ferry-files"), hook.settings(
                "hook-secret-0123456789", Map.of(
                "sftp.auth-hook.timeout", "90s",
                "sftp.auth-timeout", "3m",
                "sftp.auth-threads", String.valueOf(WAITING + 4),
                "sftp.max-unauthenticated-per-address", "200")));
        admin = ferry.admin();
    }

    @AfterAll
    static void stop() {
        answer.countDown();
        if (ferry != null) {
            ferry.close();
        }
        if (hook != null) {
            hook.close();
        }
    }

    /** Allows every user, once the test lets it answer. */
    static void heldAnswer(HttpExchange exchange) throws IOException {
        try (InputStream body = exchange.getRequestBody()) {
            body.readAllBytes();
        }
        arrived.incrementAndGet();
        try {
            answer.await(3, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        byte[] allow = "{\"allow\":true,\"profile\":{\"permissions\":{\"/\":[\"*\"]}}}".getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        try {
            exchange.sendResponseHeaders(200, allow.length);
            exchange.getResponseBody().write(allow);
        } catch (IOException e) {
            // the login gave up
        }
        exchange.close();
    }

    @Test
    void localUsersLogInAndTransferWhileManyLoginsWaitForTheIdentitySource() throws Exception {
        KeyPair key = TestKeys.ed25519();
        var created = admin.post("/api/v1/users", "{\"username\":\"quick\",\"password\":\"quick password 1\",\"publicKeys\":["
                + AdminClient.quote(TestKeys.publicLine(key)) + "]}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        byte[] content = new byte[1 << 20];
        new Random(7).nextBytes(content);
        Files.write(ferry.homeOf("quick").resolve("report.bin"), content);

        ExecutorService clients = Executors.newFixedThreadPool(WAITING);
        List<CompletableFuture<Boolean>> waiting = new ArrayList<>();
        try {
            for (int i = 0; i < WAITING; i++) {
                String username = "waiting" + i;
                waiting.add(CompletableFuture.supplyAsync(() -> logsIn(username, "their password"), clients));
            }
            assertThat(await(() -> arrived.get() == WAITING, Duration.ofSeconds(60)))
                    .as("all %d password checks reached the identity source at once (%d did)", WAITING, arrived.get()).isTrue();

            try (SftpTestClient byKey = SftpTestClient.withKey(ferry.sftpPort(), "quick", key);
                    InputStream in = byKey.sftp().read("/report.bin")) {
                assertThat(in.readAllBytes()).isEqualTo(content);
            }
            try (SftpTestClient byPassword = SftpTestClient.withPassword(ferry.sftpPort(), "quick", "quick password 1")) {
                assertThat(byPassword.sftp().canonicalPath(".")).isEqualTo("/");
            }
            assertThat(waiting).as("the identity source has not answered yet").noneMatch(CompletableFuture::isDone);
        } finally {
            answer.countDown();
            clients.shutdown();
        }
        for (CompletableFuture<Boolean> login : waiting) {
            assertThat(login.get(3, TimeUnit.MINUTES)).as("a login that waited for the identity source").isTrue();
        }
    }

    private static boolean logsIn(String username, String password) {
        try (ClientSession session = SftpTestClient.session(ferry.sftpPort(), username)) {
            session.addPasswordIdentity(password);
            return session.auth().verify(Duration.ofMinutes(3)).isSuccess();
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean await(java.util.function.BooleanSupplier condition, Duration limit) throws InterruptedException {
        Instant deadline = Instant.now().plus(limit);
        while (Instant.now().isBefore(deadline)) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(100);
        }
        return condition.getAsBoolean();
    }
}
