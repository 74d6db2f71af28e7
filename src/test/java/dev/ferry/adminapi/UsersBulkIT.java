package dev.ferry.adminapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Users created from CSV and enabled, disabled or deleted in bulk through the admin API, with real
 * SFTP logins afterwards: every row or name is done or reported with the reason, a wrong file is
 * refused whole, and two imports racing for the same names create each user once.
 */
class UsersBulkIT {

    static FerryInstance ferry;
    static AdminClient admin;

    @BeforeAll
    static void start() {
        ferry = FerryInstance.start();
        admin = ferry.admin();
    }

    @AfterAll
    static void stop() {
        ferry.close();
    }

    @Test
    void csvImportCreatesEveryGoodRowAndReportsEachBadOneWithItsReason() throws Exception {
        KeyPair alice = TestKeys.ed25519();
        String csv = "Username, publicKey\r\n"
                + "csv-alice,\"" + TestKeys.publicLine(alice) + " alice, laptop\"\r\n"
                + "csv-bob,\r\n"
                + "\r\n"
                + "CSV-ALICE,\r\n"
                + "../escape,\r\n"
                + "csv-carol,ssh-ed25519 AAAA-not-base64\r\n"
                + ",ssh-ed25519 AAAA\r\n";
        JsonNode report = importCsv(csv);
        assertThat(report.get("succeeded").asInt()).isEqualTo(2);
        assertThat(report.get("failed").asInt()).isEqualTo(4);
        List<String> lines = new ArrayList<>();
        for (JsonNode result : report.get("results")) {
            lines.add(result.get("row").asLong() + " " + result.get("username").asString("") + " " + result.get("status").asString()
                    + " " + result.path("field").asString(""));
        }
        assertThat(lines).containsExactly("2 csv-alice created ", "3 csv-bob created ", "5 CSV-ALICE failed username",
                "6 ../escape failed username", "7 csv-carol failed publicKey", "8  failed username");
        assertThat(report.get("results").get(2).get("message").asString()).contains("already exists");
        assertThat(admin.get("/api/v1/users/csv-carol").status()).as("a failed row creates nothing").isEqualTo(404);

        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "csv-alice", alice)) {
            assertThat(client.sftp().canonicalPath(".")).isEqualTo("/");
        }
        assertThat(admin.get("/api/v1/audit?type=ADMIN&size=500").body()).contains("created user csv-alice (CSV import, row 2)");
    }

    @Test
    void aWrongFileIsRefusedWholeBeforeAnyUserIsCreated() {
        var unknown = admin.sendBytes("POST", "/api/v1/users/import", bytes("username,password\nwhole-1,secret\n"), "text/csv");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.body()).contains("the column 'password'", "not one of username, publicKey, groups");
        var noName = admin.sendBytes("POST", "/api/v1/users/import", bytes("publicKey\nssh-ed25519 AAAA\n"), "text/csv");
        assertThat(noName.status()).isEqualTo(400);
        assertThat(noName.body()).contains("no username column");
        var twice = admin.sendBytes("POST", "/api/v1/users/import", bytes("username,USERNAME\nwhole-2,whole-3\n"), "text/csv");
        assertThat(twice.status()).isEqualTo(400);
        var empty = admin.sendBytes("POST", "/api/v1/users/import", bytes(""), "text/csv");
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.body()).contains("the body is empty");
        var unbalanced = admin.sendBytes("POST", "/api/v1/users/import", bytes("username\n\"whole-4\n"), "text/csv");
        assertThat(unbalanced.status()).isEqualTo(400);
        assertThat(unbalanced.body()).contains("the CSV cannot be read");

        StringBuilder tooMany = new StringBuilder("username\n");
        IntStream.rangeClosed(0, UsersBulkController.MAX_ROWS).forEach(i -> tooMany.append("many-").append(i).append('\n'));
        var over = admin.sendBytes("POST", "/api/v1/users/import", bytes(tooMany.toString()), "text/csv");
        assertThat(over.status()).isEqualTo(400);
        assertThat(over.body()).contains("more than 10000 users");
        for (String name : List.of("whole-1", "whole-2", "whole-3", "whole-4", "many-0", "many-10000")) {
            assertThat(admin.get("/api/v1/users/" + name).status()).as(name).isEqualTo(404);
        }
    }

    @Test
    void bulkDisableEnableAndDeleteApplyToEachNameAndSftpFollows() throws Exception {
        KeyPair key = TestKeys.ed25519();
        for (String name : List.of("bulk-a", "bulk-b")) {
            var created = admin.post("/api/v1/users", "{\"username\":\"" + name + "\",\"publicKeys\":["
                    + AdminClient.quote(TestKeys.publicLine(key)) + "]}");
            assertThat(created.status()).as(created.body()).isEqualTo(201);
        }
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "bulk-a", key)) {
            client.put("/kept.txt", bytes("stays after delete"));
        }

        JsonNode disabled = bulk("{\"action\":\"disable\",\"usernames\":[\"bulk-a\",\"BULK-B\",\"bulk-nobody\"]}");
        assertThat(disabled.get("succeeded").asInt()).isEqualTo(2);
        assertThat(disabled.get("results").get(1).get("username").asString()).as("the stored spelling").isEqualTo("bulk-b");
        assertThat(disabled.get("results").get(2).get("status").asString()).isEqualTo("failed");
        assertThat(disabled.get("results").get(2).get("message").asString()).contains("no user named 'bulk-nobody'");
        assertThat(admin.get("/api/v1/users/bulk-a").json().get("enabled").asBoolean()).isFalse();
        assertThatThrownBy(() -> SftpTestClient.withKey(ferry.sftpPort(), "bulk-a", key).close()).as("a disabled user cannot log in");

        assertThat(bulk("{\"action\":\"enable\",\"usernames\":[\"bulk-a\"]}").get("succeeded").asInt()).isEqualTo(1);
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "bulk-a", key)) {
            assertThat(client.sftp().canonicalPath(".")).isEqualTo("/");
        }

        JsonNode deleted = bulk("{\"action\":\"delete\",\"usernames\":[\"bulk-a\",\"bulk-b\"]}");
        assertThat(deleted.get("succeeded").asInt()).isEqualTo(2);
        assertThat(admin.get("/api/v1/users/bulk-a").status()).isEqualTo(404);
        assertThat(Files.readString(ferry.homeOf("bulk-a").resolve("kept.txt"))).as("files kept without purge").isEqualTo("stays after delete");
        String audit = admin.get("/api/v1/audit?type=ADMIN&size=500").body();
        assertThat(audit).contains("disabled user bulk-a (bulk)", "enabled user bulk-a (bulk)", "deleted user bulk-b, files kept (bulk)");

        assertThat(admin.post("/api/v1/users/bulk", "{\"action\":\"explode\",\"usernames\":[\"x\"]}").body()).contains("action must be one of");
        assertThat(admin.post("/api/v1/users/bulk", "{\"action\":\"delete\",\"usernames\":[]}").status()).isEqualTo(400);
        assertThat(admin.post("/api/v1/users/bulk", "{\"action\":\"delete\"}").status()).isEqualTo(400);
    }

    @Test
    void twoImportsRacingForTheSameNamesCreateEachUserOnce() {
        StringBuilder csv = new StringBuilder("username\n");
        IntStream.range(0, 100).forEach(i -> csv.append("race-").append(i).append('\n'));
        List<CompletableFuture<JsonNode>> imports = List.of(
                CompletableFuture.supplyAsync(() -> importCsv(csv.toString())),
                CompletableFuture.supplyAsync(() -> importCsv(csv.toString())));
        JsonNode first = imports.get(0).join();
        JsonNode second = imports.get(1).join();
        assertThat(first.get("succeeded").asInt() + second.get("succeeded").asInt()).isEqualTo(100);
        assertThat(first.get("failed").asInt() + second.get("failed").asInt()).isEqualTo(100);
        for (JsonNode report : List.of(first, second)) {
            for (JsonNode result : report.get("results")) {
                if (result.get("status").asString().equals("failed")) {
                    assertThat(result.get("message").asString()).as(result.toString()).contains("already exists");
                }
            }
        }
        assertThat(admin.get("/api/v1/users?q=race-&size=200").json().get("totalElements").asInt()).isEqualTo(100);
    }

    @Test
    void onlyAdminsMayImportOrChangeInBulk() {
        var auditor = admin.post("/api/v1/admins", "{\"username\":\"bulk-auditor\",\"password\":\"auditor password 1\",\"role\":\"AUDITOR\"}");
        assertThat(auditor.status()).as(auditor.body()).isEqualTo(201);
        AdminClient reader = admin.as("bulk-auditor", "auditor password 1");
        assertThat(reader.sendBytes("POST", "/api/v1/users/import", bytes("username\nno-auditor\n"), "text/csv").status()).isEqualTo(403);
        assertThat(reader.post("/api/v1/users/bulk", "{\"action\":\"delete\",\"usernames\":[\"x\"]}").status()).isEqualTo(403);
        assertThat(admin.get("/api/v1/users/no-auditor").status()).isEqualTo(404);
    }

    private static JsonNode importCsv(String csv) {
        var response = admin.sendBytes("POST", "/api/v1/users/import", bytes(csv), "text/csv");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    private static JsonNode bulk(String body) {
        var response = admin.post("/api/v1/users/bulk", body);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
