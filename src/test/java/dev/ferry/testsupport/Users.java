package dev.ferry.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPair;
import java.util.function.Consumer;
import tools.jackson.databind.node.ObjectNode;

/** Creating and changing users through the admin API, as a provisioning script would. */
public final class Users {

    private Users() {
    }

    /** Creates a user with one key and the given extra JSON fields (e.g. {@code "quota":{...}}). */
    public static void create(AdminClient admin, String username, KeyPair key, String extraFields) {
        String body = "{\"username\":\"" + username + "\",\"publicKeys\":[" + AdminClient.quote(TestKeys.publicLine(key)) + "]"
                + (extraFields == null || extraFields.isEmpty() ? "" : "," + extraFields) + "}";
        var created = admin.post("/api/v1/users", body);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
    }

    /** GET, change, PUT back. */
    public static void update(AdminClient admin, String username, Consumer<ObjectNode> change) {
        var current = admin.get("/api/v1/users/" + username);
        assertThat(current.status()).as(current.body()).isEqualTo(200);
        ObjectNode user = (ObjectNode) current.json();
        change.accept(user);
        var updated = admin.put("/api/v1/users/" + username, user.toString());
        assertThat(updated.status()).as(updated.body()).isEqualTo(200);
    }

    /** Waits until the user's usage is exactly this (quota bookkeeping is applied asynchronously), failing after {@code within}. */
    public static void awaitUsage(AdminClient admin, String username, long bytes, long files, java.time.Duration within)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            long usedBytes = usedBytes(admin, username);
            long usedFiles = usedFiles(admin, username);
            if (usedBytes == bytes && usedFiles == files) {
                return;
            }
            if (System.nanoTime() > deadline) {
                assertThat(new long[] {usedBytes, usedFiles}).as("usage of " + username).containsExactly(bytes, files);
            }
            Thread.sleep(100);
        }
    }

    public static long usedBytes(AdminClient admin, String username) {
        return admin.get("/api/v1/users/" + username).json().get("usage").get("usedBytes").asLong();
    }

    public static long usedFiles(AdminClient admin, String username) {
        return admin.get("/api/v1/users/" + username).json().get("usage").get("usedFiles").asLong();
    }
}
