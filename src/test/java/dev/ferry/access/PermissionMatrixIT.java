package dev.ferry.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.RawSftp;
import dev.ferry.testsupport.RawSftp.Attrs;
import dev.ferry.testsupport.RawSftp.Reply;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.Users;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.sshd.sftp.common.SftpConstants;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * Every SFTP request, sent as real clients send it (OPEN and MKDIR with attributes, OpenSSH's
 * extensions), against every permission set that can tell whether the README's rule for it holds:
 * no permission, each one alone, all but each one, all, and each request's exact needs. A request
 * is allowed exactly when the set holds what {@link #REQUESTS} says it needs; then it does its
 * work. Otherwise it is answered SSH_FX_PERMISSION_DENIED, changes nothing in its directory (names,
 * types, sizes, contents, modes, times, link targets) and is audited as DENIED.
 * <p>
 * One server; one user and one session per permission set, its rules on {@code /w} (so that no
 * shortcut for rules on "/" hides the path checks); each case gets a fresh directory of its own.
 */
class PermissionMatrixIT {

    /** What one case's directory holds before its request: a file, another file, an empty directory, a link. */
    static final String CONTENT = "content";
    static final long TIME = 1_600_000_000L;
    static final int READ = SftpConstants.SSH_FXF_READ;
    static final int WRITE = SftpConstants.SSH_FXF_WRITE;
    static final int APPEND = SftpConstants.SSH_FXF_APPEND;
    static final int CREAT = SftpConstants.SSH_FXF_CREAT;
    static final int TRUNC = SftpConstants.SSH_FXF_TRUNC;
    static final int EXCL = SftpConstants.SSH_FXF_EXCL;

    /** A request in a case directory {@code dir} (a virtual path), answered by its first refused or last reply. */
    interface Send {
        Reply send(RawSftp raw, String dir) throws IOException;
    }

    /**
     * @param needs    the permissions the README's rules say it needs
     * @param answered whether an allowed request's reply is the right one
     * @param effect   whether an allowed request did its work, looking at the case directory on disk
     */
    record Request(String name, Set<Permission> needs, Send send, Predicate<Reply> answered, Predicate<Path> effect) {

        Request(String name, Set<Permission> needs, Send send, Predicate<Path> effect) {
            this(name, needs, send, Reply::ok, effect);
        }
    }

    static final Predicate<Path> NOTHING_CHANGED = dir -> true; // the snapshot comparison applies to every case

    static final List<Request> REQUESTS = List.of(
            new Request("open-read", EnumSet.of(Permission.DOWNLOAD),
                    (raw, dir) -> readAndClose(raw, dir + "/file.txt"), NOTHING_CHANGED),
            new Request("fstat", EnumSet.of(Permission.DOWNLOAD),
                    (raw, dir) -> onReadHandle(raw, dir + "/file.txt", h -> raw.send(SftpConstants.SSH_FXP_FSTAT, h)), NOTHING_CHANGED),
            new Request("open-create", EnumSet.of(Permission.UPLOAD),
                    (raw, dir) -> writeAndClose(raw, dir + "/new.txt", WRITE | CREAT | TRUNC, Attrs.none()), has("new.txt", "new")),
            new Request("open-create-with-attrs", EnumSet.of(Permission.UPLOAD),
                    (raw, dir) -> writeAndClose(raw, dir + "/new.txt", WRITE | CREAT | TRUNC, Attrs.mode(0640).withTimes(TIME, TIME)),
                    has("new.txt", "new")),
            new Request("open-create-exclusive", EnumSet.of(Permission.UPLOAD),
                    (raw, dir) -> writeAndClose(raw, dir + "/new.txt", WRITE | CREAT | EXCL, Attrs.mode(0644)), has("new.txt", "new")),
            new Request("open-truncate", EnumSet.of(Permission.OVERWRITE),
                    (raw, dir) -> writeAndClose(raw, dir + "/file.txt", WRITE | CREAT | TRUNC, Attrs.none()), has("file.txt", "new")),
            new Request("open-truncate-with-attrs", EnumSet.of(Permission.OVERWRITE),
                    (raw, dir) -> writeAndClose(raw, dir + "/file.txt", WRITE | CREAT | TRUNC, Attrs.mode(0600)), has("file.txt", "new")),
            new Request("open-append", EnumSet.of(Permission.OVERWRITE),
                    (raw, dir) -> writeAndClose(raw, dir + "/file.txt", WRITE | APPEND, Attrs.none()), has("file.txt", CONTENT + "new")),
            new Request("open-append-with-attrs", EnumSet.of(Permission.OVERWRITE),
                    (raw, dir) -> writeAndClose(raw, dir + "/file.txt", WRITE | CREAT | APPEND, Attrs.mode(0644)),
                    has("file.txt", CONTENT + "new")),
            new Request("open-write-in-place", EnumSet.of(Permission.OVERWRITE),
                    (raw, dir) -> writeAndClose(raw, dir + "/file.txt", WRITE, Attrs.none()), has("file.txt", "newtent")),
            new Request("open-read-write", EnumSet.of(Permission.OVERWRITE, Permission.DOWNLOAD),
                    (raw, dir) -> writeAndClose(raw, dir + "/file.txt", READ | WRITE, Attrs.none()), has("file.txt", "newtent")),
            new Request("mkdir", EnumSet.of(Permission.MKDIR),
                    (raw, dir) -> raw.send(SftpConstants.SSH_FXP_MKDIR, dir + "/newdir", Attrs.none()), isDirectory("newdir")),
            new Request("mkdir-with-attrs", EnumSet.of(Permission.MKDIR),
                    (raw, dir) -> raw.send(SftpConstants.SSH_FXP_MKDIR, dir + "/newdir", Attrs.mode(0777)), isDirectory("newdir")),
            new Request("rmdir", EnumSet.of(Permission.RMDIR),
                    (raw, dir) -> raw.send(SftpConstants.SSH_FXP_RMDIR, dir + "/dir"), gone("dir")),
            new Request("remove", EnumSet.of(Permission.DELETE),
                    (raw, dir) -> raw.send(SftpConstants.SSH_FXP_REMOVE, dir + "/file.txt"), gone("file.txt")),
            new Request("rename", EnumSet.of(Permission.RENAME),
                    (raw, dir) -> raw.send(SftpConstants.SSH_FXP_RENAME, dir + "/file.txt", dir + "/renamed.txt"),
                    gone("file.txt").and(has("renamed.txt", CONTENT))),
            new Request("posix-rename", EnumSet.of(Permission.RENAME),
                    (raw, dir) -> raw.extended("posix-rename@openssh.com", dir + "/file.txt", dir + "/renamed.txt"),
                    gone("file.txt").and(has("renamed.txt", CONTENT))),
            new Request("posix-rename-over-a-file", EnumSet.of(Permission.RENAME, Permission.OVERWRITE),
                    (raw, dir) -> raw.extended("posix-rename@openssh.com", dir + "/file.txt", dir + "/other.txt"),
                    gone("file.txt").and(has("other.txt", CONTENT))),
            new Request("setstat-mode", EnumSet.of(Permission.SETSTAT),
                    (raw, dir) -> raw.send(SftpConstants.SSH_FXP_SETSTAT, dir + "/file.txt", Attrs.mode(0600)), hasMode("file.txt", 0600)),
            new Request("setstat-times", EnumSet.of(Permission.SETSTAT),
                    (raw, dir) -> raw.send(SftpConstants.SSH_FXP_SETSTAT, dir + "/file.txt", Attrs.none().withTimes(TIME, TIME)),
                    hasTime("file.txt")),
            new Request("lsetstat", EnumSet.of(Permission.SETSTAT),
                    (raw, dir) -> raw.extended("lsetstat@openssh.com", dir + "/file.txt", Attrs.none().withTimes(TIME, TIME)),
                    hasTime("file.txt")),
            new Request("fsetstat", EnumSet.of(Permission.DOWNLOAD, Permission.SETSTAT),
                    (raw, dir) -> onReadHandle(raw, dir + "/file.txt", h -> raw.send(SftpConstants.SSH_FXP_FSETSTAT, h, Attrs.mode(0600))),
                    hasMode("file.txt", 0600)),
            new Request("symlink", EnumSet.of(Permission.SYMLINK),
                    // OpenSSH's order: the target, then the link
                    (raw, dir) -> raw.send(SftpConstants.SSH_FXP_SYMLINK, "file.txt", dir + "/newlink"),
                    dir -> Files.isSymbolicLink(dir.resolve("newlink"))),
            new Request("hardlink", EnumSet.of(Permission.SYMLINK, Permission.DOWNLOAD),
                    (raw, dir) -> raw.extended("hardlink@openssh.com", dir + "/file.txt", dir + "/hard.txt"), has("hard.txt", CONTENT)),
            new Request("readlink", EnumSet.of(Permission.LIST),
                    (raw, dir) -> raw.send(SftpConstants.SSH_FXP_READLINK, dir + "/link"),
                    reply -> "file.txt".equals(reply.name()), NOTHING_CHANGED),
            new Request("stat", EnumSet.of(Permission.LIST),
                    (raw, dir) -> raw.send(SftpConstants.SSH_FXP_STAT, dir + "/file.txt"), NOTHING_CHANGED),
            new Request("lstat", EnumSet.of(Permission.LIST),
                    (raw, dir) -> raw.send(SftpConstants.SSH_FXP_LSTAT, dir + "/link"), NOTHING_CHANGED),
            new Request("opendir-readdir", EnumSet.of(Permission.LIST),
                    (raw, dir) -> listAndClose(raw, dir), NOTHING_CHANGED),
            new Request("realpath", EnumSet.noneOf(Permission.class),
                    (raw, dir) -> raw.send(SftpConstants.SSH_FXP_REALPATH, dir + "/dir/../file.txt"),
                    reply -> reply.name() != null && reply.name().endsWith("/file.txt"), NOTHING_CHANGED),
            new Request("statvfs", EnumSet.noneOf(Permission.class),
                    (raw, dir) -> raw.extended("statvfs@openssh.com", dir), NOTHING_CHANGED),
            new Request("check-file-name", EnumSet.of(Permission.DOWNLOAD),
                    (raw, dir) -> raw.extended("check-file-name", dir + "/file.txt", "sha256", 0L, 0L, 0),
                    // allowed: this file was put on disk directly, so it has no stored digest and is hashed
                    reply -> reply.type() == SftpConstants.SSH_FXP_EXTENDED_REPLY,
                    NOTHING_CHANGED));

    static FerryInstance ferry;
    static final KeyPair KEY = TestKeys.ed25519();
    static final List<SftpTestClient> CLIENTS = new ArrayList<>();

    @BeforeAll
    static void start() {
        ferry = FerryInstance.start();
    }

    @AfterAll
    static void stop() {
        CLIENTS.forEach(SftpTestClient::close);
        ferry.close();
    }

    /** No permission, each alone, all but each, all, and every request's exact needs. */
    static List<Set<Permission>> permissionSets() {
        Set<Set<Permission>> sets = new LinkedHashSet<>();
        sets.add(EnumSet.noneOf(Permission.class));
        for (Permission p : Permission.values()) {
            sets.add(EnumSet.of(p));
            Set<Permission> allBut = EnumSet.allOf(Permission.class);
            allBut.remove(p);
            sets.add(allBut);
        }
        sets.add(EnumSet.allOf(Permission.class));
        REQUESTS.forEach(request -> sets.add(request.needs()));
        return List.copyOf(sets);
    }

    @TestFactory
    Stream<DynamicNode> everyRequestAgainstEveryPermissionSet() {
        List<Set<Permission>> sets = permissionSets();
        List<DynamicNode> containers = new ArrayList<>();
        for (int i = 0; i < sets.size(); i++) {
            containers.add(permissionSet("matrix" + i, sets.get(i)));
        }
        return containers.stream();
    }

    private DynamicNode permissionSet(String username, Set<Permission> granted) {
        String names = granted.stream().map(p -> "\"" + p.apiName() + "\"").collect(Collectors.joining(","));
        Set<String> deniedCases = new HashSet<>();
        RawSftp[] session = new RawSftp[1];
        List<DynamicNode> cases = new ArrayList<>();
        cases.add(dynamicTest("log in", () -> {
            Users.create(ferry.admin(), username, KEY, "\"permissions\":{\"/w\":[" + names + "]}");
            Files.createDirectories(ferry.homeOf(username).resolve("w"));
            SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), username, KEY);
            CLIENTS.add(client);
            session[0] = new RawSftp(client.sftp());
        }));
        for (Request request : REQUESTS) {
            boolean allowed = granted.containsAll(request.needs());
            if (!allowed) {
                deniedCases.add(request.name());
            }
            cases.add(dynamicTest(request.name() + (allowed ? " allowed" : " denied"), () -> {
                Path dir = fixture(ferry.homeOf(username).resolve("w").resolve(request.name()));
                TreeMap<String, String> before = snapshot(dir);
                Reply reply = request.send().send(session[0], "/w/" + request.name());
                if (allowed) {
                    assertThat(request.answered()).as("%s with %s: %s", request.name(), granted, reply).accepts(reply);
                    assertThat(request.effect()).as("%s did its work", request.name()).accepts(dir);
                    if (request.effect() == NOTHING_CHANGED) {
                        assertThat(snapshot(dir)).as("%s changes nothing", request.name()).isEqualTo(before);
                    }
                } else {
                    assertThat(reply.denied()).as("%s with %s: %s", request.name(), granted, reply).isTrue();
                    assertThat(reply.message()).contains("is not granted on /w/" + request.name());
                    assertThat(snapshot(dir)).as("a refused %s changes nothing", request.name()).isEqualTo(before);
                }
            }));
        }
        cases.add(dynamicTest("each refusal audited as DENIED, nothing else", () -> awaitDenied(username, deniedCases)));
        return dynamicContainer(username + " " + granted, cases);
    }

    /** Waits until the user's DENIED records name exactly the refused cases' directories. */
    static void awaitDenied(String username, Set<String> deniedCases) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        Set<String> audited;
        do {
            audited = new HashSet<>();
            for (var record : ferry.admin().get("/api/v1/audit?username=" + username + "&type=DENIED&size=500").json().get("content")) {
                String path = record.get("path").asString();
                assertThat(path).startsWith("/w/");
                audited.add(path.split("/")[2]);
            }
            if (audited.containsAll(deniedCases)) {
                break;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        assertThat(audited).containsExactlyInAnyOrderElementsOf(deniedCases);
    }

    /** A fresh case directory: file.txt, other.txt, an empty dir/ and link -> file.txt. */
    static Path fixture(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("dir"));
        Files.writeString(dir.resolve("file.txt"), CONTENT);
        Files.writeString(dir.resolve("other.txt"), "other");
        Files.setPosixFilePermissions(dir.resolve("file.txt"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Files.setLastModifiedTime(dir.resolve("file.txt"), FileTime.fromMillis(1_500_000_000_000L));
        Files.createSymbolicLink(dir.resolve("link"), Path.of("file.txt"));
        return dir;
    }

    /** Everything a request could change in a directory, by relative name. */
    static TreeMap<String, String> snapshot(Path dir) throws IOException {
        TreeMap<String, String> state = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.toList()) {
                String kind;
                if (Files.isSymbolicLink(path)) {
                    kind = "link -> " + Files.readSymbolicLink(path);
                } else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                    kind = "dir";
                } else {
                    kind = "file " + Files.readString(path, StandardCharsets.UTF_8);
                }
                state.put(dir.relativize(path).toString(), kind + " mode " + Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS)
                        + (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) ? ""
                        : " mtime " + Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS).toMillis()));
            }
        }
        return state;
    }

    interface OnHandle {
        Reply apply(byte[] handle) throws IOException;
    }

    static Reply onReadHandle(RawSftp raw, String path, OnHandle request) throws IOException {
        Reply open = raw.send(SftpConstants.SSH_FXP_OPEN, path, READ, Attrs.none());
        if (!open.ok()) {
            return open;
        }
        Reply reply = request.apply(open.handle());
        Reply close = raw.close(open.handle());
        return reply.ok() ? close : reply;
    }

    static Reply readAndClose(RawSftp raw, String path) throws IOException {
        return onReadHandle(raw, path, h -> raw.send(SftpConstants.SSH_FXP_READ, h, 0L, 100));
    }

    /** OPEN, one WRITE of "new" at offset 0, CLOSE (which publishes an upload). */
    static Reply writeAndClose(RawSftp raw, String path, int pflags, Attrs attrs) throws IOException {
        Reply open = raw.send(SftpConstants.SSH_FXP_OPEN, path, pflags, attrs);
        if (!open.ok()) {
            return open;
        }
        Reply write = raw.send(SftpConstants.SSH_FXP_WRITE, open.handle(), 0L, "new".getBytes(StandardCharsets.UTF_8));
        Reply close = raw.close(open.handle());
        return write.ok() ? close : write;
    }

    static Reply listAndClose(RawSftp raw, String dir) throws IOException {
        Reply open = raw.send(SftpConstants.SSH_FXP_OPENDIR, dir);
        if (!open.ok()) {
            return open;
        }
        Reply read = raw.send(SftpConstants.SSH_FXP_READDIR, open.handle());
        Reply close = raw.close(open.handle());
        return read.ok() ? close : read;
    }

    static Predicate<Path> has(String name, String content) {
        return dir -> {
            try {
                return Files.isRegularFile(dir.resolve(name), LinkOption.NOFOLLOW_LINKS)
                        && Files.readString(dir.resolve(name)).equals(content);
            } catch (IOException e) {
                return false;
            }
        };
    }

    static Predicate<Path> isDirectory(String name) {
        return dir -> Files.isDirectory(dir.resolve(name), LinkOption.NOFOLLOW_LINKS);
    }

    static Predicate<Path> gone(String name) {
        return dir -> !Files.exists(dir.resolve(name), LinkOption.NOFOLLOW_LINKS);
    }

    static Predicate<Path> hasMode(String name, int mode) {
        return dir -> {
            try {
                return ((Integer) Files.getAttribute(dir.resolve(name), "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777) == mode;
            } catch (IOException e) {
                return false;
            }
        };
    }

    static Predicate<Path> hasTime(String name) {
        return dir -> {
            try {
                return Files.getLastModifiedTime(dir.resolve(name), LinkOption.NOFOLLOW_LINKS).toMillis() == TIME * 1000;
            } catch (IOException e) {
                return false;
            }
        };
    }
}
