package dev.ferry.sftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.jcraft.jsch.ChannelSftp;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.SftpATTRS;
import com.jcraft.jsch.SftpException;
import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.ExternalCommand;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.TestPostgres;
import dev.ferry.testsupport.Users;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Vector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The SFTP clients partners and batch jobs use besides OpenSSH's (OpenSshClientIT): rclone, lftp,
 * curl (libssh2), paramiko and JSch (the libraries under most Python and Java tools and WinSCP-style
 * scripts), each over a real socket against a whole Ferry: upload, listing, attributes, rename,
 * download byte for byte, delete, and the home seen as {@code /}. Run for each kind of home by a
 * subclass that says how its users' storage is configured and how to look at it behind Ferry's back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ClientCompatibilityIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    FerryInstance ferry;
    AdminClient admin;
    KeyPair key;
    Path keyFile;
    int users;

    @TempDir
    Path local;

    /** Ferry's settings for this kind of home (none for local disk). */
    abstract Map<String, String> storageSettings();

    /** The user's {@code "storage"} JSON, or null for the default (local disk). */
    abstract String storageJson(String username);

    /** The bytes the storage holds for a path of the user's home. */
    abstract byte[] stored(String username, String path);

    /** Whether nothing at all is left in the user's home. */
    abstract boolean isEmpty(String username);

    @BeforeAll
    void start() {
        ferry = FerryInstance.start(TestPostgres.get().newDatabase(), FerryInstance.tempDir("ferry-files"), storageSettings());
        admin = ferry.admin();
        key = TestKeys.ed25519();
        keyFile = TestKeys.writePrivateKey(key, FerryInstance.tempDir("ferry-client-keys"));
    }

    @AfterAll
    void stop() {
        if (ferry != null) {
            ferry.close();
        }
    }

    @Test
    void rcloneCopiesSyncsListsMovesAndDeletes() throws Exception {
        String user = newUser("rclone");
        byte[] data = writeRandom(local.resolve("data.bin"), 1_500_000);
        String remote = ":sftp,host=127.0.0.1,port=" + ferry.sftpPort() + ",user=" + user + ",key_file=" + keyFile + ":";

        rclone("copyto", "data.bin", remote + "/in/data.bin");
        assertThat(stored(user, "/in/data.bin")).isEqualTo(data);
        JsonNode listing = JSON.readTree(rclone("lsjson", remote + "/in"));
        assertThat(listing).hasSize(1);
        assertThat(listing.get(0).get("Name").asText()).isEqualTo("data.bin");
        assertThat(listing.get(0).get("Size").asLong()).isEqualTo(data.length);
        // rclone sets the source's modification time (SETSTAT); its sync decisions rest on it.
        assertThat(java.time.Instant.parse(listing.get(0).get("ModTime").asText()).getEpochSecond())
                .isEqualTo(Files.getLastModifiedTime(local.resolve("data.bin")).toInstant().getEpochSecond());

        rclone("moveto", remote + "/in/data.bin", remote + "/in/moved.bin");
        rclone("copyto", remote + "/in/moved.bin", "back.bin");
        assertThat(local.resolve("back.bin")).hasBinaryContent(data);

        // sync compares sizes and times (no hashes without a shell): a second run copies nothing,
        // a run after one file changed copies that file only.
        Path tree = Files.createDirectories(local.resolve("tree"));
        for (String name : List.of("a.bin", "b.bin", "c.bin")) {
            writeRandom(tree.resolve(name), 50_000);
            Files.setLastModifiedTime(tree.resolve(name), java.nio.file.attribute.FileTime.fromMillis(1_600_000_000_000L));
        }
        assertThat(rcloneCopied("sync", "tree", remote + "/synced")).containsExactlyInAnyOrder("a.bin", "b.bin", "c.bin");
        assertThat(rcloneCopied("sync", "tree", remote + "/synced")).isEmpty();
        writeRandom(tree.resolve("b.bin"), 50_000);
        assertThat(rcloneCopied("sync", "tree", remote + "/synced")).containsExactly("b.bin");
        rclone("purge", remote + "/synced");

        rclone("deletefile", remote + "/in/moved.bin");
        rclone("rmdir", remote + "/in");
        assertThat(isEmpty(user)).as("nothing left in the home").isTrue();
    }

    @Test
    void lftpPutsMirrorsRenamesAndRemoves() throws Exception {
        String user = newUser("lftp");
        byte[] data = writeRandom(local.resolve("data.bin"), 1_500_000);
        Path tree = Files.createDirectories(local.resolve("tree/sub"));
        writeRandom(local.resolve("tree/a.txt"), 100);
        writeRandom(tree.resolve("b.txt"), 5_000);

        for (Path file : List.of(local.resolve("tree/a.txt"), tree.resolve("b.txt"))) {
            Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(java.time.Instant.parse("2020-01-02T03:04:05Z")));
        }

        String listing = lftp(user, "put data.bin -o data.bin", "mirror -R tree tree", "mv data.bin renamed.bin",
                "cls -l --sort=name");
        assertThat(listing).contains("renamed.bin").contains("tree").doesNotContain(ferry.storageRoot().toString());
        assertThat(stored(user, "/renamed.bin")).isEqualTo(data);
        assertThat(stored(user, "/tree/sub/b.txt")).isEqualTo(Files.readAllBytes(tree.resolve("b.txt")));
        // mirror sets the times it uploads with; a second mirror finds nothing to send
        assertThat(lftp(user, "cls -l tree/a.txt tree/sub/b.txt")).contains("Jan  2  2020");
        assertThat(lftp(user, "mirror -R -v tree tree")).doesNotContain("Transferring");

        lftp(user, "get renamed.bin -o back.bin", "mirror tree tree-back", "rm renamed.bin", "rm -r tree");
        assertThat(local.resolve("back.bin")).hasBinaryContent(data);
        assertThat(local.resolve("tree-back/sub/b.txt")).hasSameBinaryContentAs(tree.resolve("b.txt"));
        assertThat(local.resolve("tree-back/a.txt")).hasSameBinaryContentAs(local.resolve("tree/a.txt"));
        assertThat(isEmpty(user)).as("nothing left in the home").isTrue();
    }

    /**
     * curl's SFTP is libssh2's. Before libssh2 1.11 (Debian 12 has 1.10) it has neither AES-GCM nor
     * encrypt-then-MAC, so it needs the {@code compatible} policy (non-EtM SHA-2 MACs); README says so.
     */
    @Test
    void curlUploadsListsAndDownloadsWithTheCompatiblePolicy() throws Exception {
        String user = newUser("curl");
        byte[] data = writeRandom(local.resolve("data.bin"), 1_500_000);
        Map<String, String> settings = new java.util.HashMap<>(storageSettings());
        settings.put("sftp.crypto-policy", "compatible");
        try (FerryInstance compatible = FerryInstance.start(ferry.database(), ferry.storageRoot(), settings)) {
            String base = "sftp://127.0.0.1:" + compatible.sftpPort();
            curl(user, "-T", "data.bin", "--ftp-create-dirs", base + "/in/data.bin");
            assertThat(stored(user, "/in/data.bin")).isEqualTo(data);
            assertThat(curl(user, base + "/in/")).contains("data.bin").doesNotContain(ferry.storageRoot().toString());
            curl(user, "-o", "back.bin", base + "/in/data.bin");
            assertThat(local.resolve("back.bin")).hasBinaryContent(data);
            // Quote commands run as SFTP requests before the transfer (here: a listing of the home).
            curl(user, "-Q", "rename /in/data.bin /in/renamed.bin", "-Q", "rm /in/renamed.bin", "-Q", "rmdir /in", "-o", "/dev/null",
                    base + "/");
            assertThat(isEmpty(user)).as("nothing left in the home").isTrue();
        }
    }

    @Test
    void paramikoDoesEverythingAScriptDoes() throws Exception {
        String user = newUser("paramiko");
        byte[] data = writeRandom(local.resolve("data.bin"), 1_500_000);
        Path script = Path.of("src/test/resources/clients/paramiko_session.py").toAbsolutePath();
        ExternalCommand.Result run = ExternalCommand.run(local, List.of("/usr/bin/python3", script.toString(),
                String.valueOf(ferry.sftpPort()), user, keyFile.toString(), "data.bin", "back.bin"), "");
        assertThat(run.exitCode()).as(run.output()).isZero();
        String json = run.output().lines().reduce((first, second) -> second).orElseThrow();
        JsonNode seen = JSON.readTree(json);

        assertThat(seen.get("home").asText()).isEqualTo("/");
        assertThat(seen.get("size").asLong()).isEqualTo(data.length);
        assertThat(seen.get("mode").asInt()).isEqualTo(0640);
        assertThat(seen.get("mtime").asLong()).isEqualTo(1_700_000_000L);
        assertThat(seen.get("listing").toString()).isEqualTo("[\"renamed.bin\"]");
        assertThat(seen.get("at1000").asText()).isEqualTo(HexFormat.of().formatHex(data, 1000, 1016));
        assertThat(seen.get("escape").asText()).isEqualTo("errno 2");
        assertThat(seen.get("after").size()).isZero();
        assertThat(local.resolve("back.bin")).hasBinaryContent(data);
        assertThat(isEmpty(user)).as("nothing left in the home").isTrue();
    }

    @Test
    void jschDoesEverythingAJavaToolDoes() throws Exception {
        String user = newUser("jsch");
        byte[] data = new byte[1_500_000];
        new Random(7).nextBytes(data);
        JSch jsch = new JSch();
        jsch.addIdentity(keyFile.toString());
        Session session = jsch.getSession(user, "127.0.0.1", ferry.sftpPort());
        session.setConfig("StrictHostKeyChecking", "no");
        session.connect(20_000);
        try {
            ChannelSftp sftp = (ChannelSftp) session.openChannel("sftp");
            sftp.connect(20_000);
            assertThat(sftp.pwd()).isEqualTo("/");
            sftp.mkdir("/in");
            sftp.put(new ByteArrayInputStream(data), "/in/data.bin");
            assertThat(stored(user, "/in/data.bin")).isEqualTo(data);
            // Resume: JSch's RESUME mode appends what the server does not have yet.
            sftp.put(new ByteArrayInputStream(data, 0, 1000), "/in/resumed.bin");
            sftp.put(new ByteArrayInputStream(data), "/in/resumed.bin", ChannelSftp.RESUME);
            assertThat(stored(user, "/in/resumed.bin")).isEqualTo(data);

            sftp.chmod(0640, "/in/data.bin");
            sftp.setMtime("/in/data.bin", 1_700_000_000);
            SftpATTRS attrs = sftp.stat("/in/data.bin");
            assertThat(attrs.getSize()).isEqualTo(data.length);
            assertThat(attrs.getPermissions() & 0777).isEqualTo(0640);
            assertThat(attrs.getMTime()).isEqualTo(1_700_000_000);
            sftp.rename("/in/data.bin", "/in/renamed.bin");
            List<String> names = new ArrayList<>();
            for (Object entry : (Vector<?>) sftp.ls("/in")) {
                names.add(((ChannelSftp.LsEntry) entry).getFilename());
            }
            assertThat(names).contains("renamed.bin", "resumed.bin").doesNotContain("data.bin");

            ByteArrayOutputStream back = new ByteArrayOutputStream();
            sftp.get("/in/renamed.bin", back);
            assertThat(back.toByteArray()).isEqualTo(data);
            assertThat(sftp.realpath("/in/../..")).isEqualTo("/");
            assertThatThrownBy(() -> sftp.stat("/../etc/passwd")).isInstanceOf(SftpException.class)
                    .satisfies(e -> assertThat(((SftpException) e).id).isEqualTo(ChannelSftp.SSH_FX_NO_SUCH_FILE));

            sftp.rm("/in/renamed.bin");
            sftp.rm("/in/resumed.bin");
            sftp.rmdir("/in");
            sftp.disconnect();
        } finally {
            session.disconnect();
        }
        assertThat(isEmpty(user)).as("nothing left in the home").isTrue();
    }

    // ------------------------------------------------------------------------------------------

    private String newUser(String client) {
        String user = client + "-" + ++users;
        String storage = storageJson(user);
        Users.create(admin, user, key, storage == null ? null : "\"storage\":" + storage);
        return user;
    }

    private static byte[] writeRandom(Path file, int size) throws Exception {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        Files.write(file, data);
        return data;
    }

    /**
     * rclone with an on-the-fly SFTP remote and no configuration file of the machine's; its log (with
     * notices such as the hash commands it found missing: Ferry runs no commands) goes to rclone.log.
     */
    private String rclone(String... args) {
        List<String> command = new ArrayList<>(List.of("rclone", "--config", local.resolve("rclone.conf").toString(),
                "--log-file", local.resolve("rclone.log").toString(), "--low-level-retries", "1", "--retries", "1"));
        command.addAll(List.of(args));
        ExternalCommand.Result run = ExternalCommand.run(local, command, "");
        assertThat(run.exitCode()).as("%s:%n%s", command, run.output()).isZero();
        return run.output();
    }

    /** Runs rclone and returns the names of the files it says it copied. */
    private List<String> rcloneCopied(String... args) throws java.io.IOException {
        Files.deleteIfExists(local.resolve("rclone.log"));
        List<String> withLog = new ArrayList<>(List.of(args));
        withLog.add("-v");
        rclone(withLog.toArray(String[]::new));
        List<String> copied = new ArrayList<>();
        for (String line : Files.readAllLines(local.resolve("rclone.log"))) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("INFO  : (\\S+): Copied").matcher(line);
            if (m.find()) {
                copied.add(m.group(1));
            }
        }
        return copied;
    }

    private String lftp(String user, String... commands) {
        String ssh = "ssh -a -x -F /dev/null -i " + keyFile + " -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"
                + " -o BatchMode=yes -o IdentitiesOnly=yes";
        String script = "set sftp:connect-program '" + ssh + "'; set net:max-retries 1; set cmd:fail-exit yes; "
                + "open -u " + user + ", sftp://127.0.0.1:" + ferry.sftpPort() + "; " + String.join("; ", commands);
        ExternalCommand.Result run = ExternalCommand.run(local, List.of("lftp", "-c", script), "");
        assertThat(run.exitCode()).as("%s:%n%s", script, run.output()).isZero();
        return run.output();
    }

    /** curl as the user, with the key pair, not checking the host key (it is new for every run). */
    private String curl(String user, String... args) {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--fail", "--insecure", "--user", user + ":",
                "--key", keyFile.toString(), "--pubkey", keyFile + ".pub"));
        command.addAll(List.of(args));
        ExternalCommand.Result run = ExternalCommand.run(local, command, "");
        assertThat(run.exitCode()).as("%s:%n%s", command, run.output()).isZero();
        return run.output();
    }
}
