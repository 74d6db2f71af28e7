package dev.ferry.storage;

import dev.ferry.testsupport.FerryInstance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The storage contract on local disk. */
class LocalHomeContractIT extends HomeContractIT {

    @Override
    FerryInstance startFerry() {
        return FerryInstance.start();
    }

    @Override
    String storageJson(String username) {
        return "{\"type\":\"local\"}";
    }

    @Override
    boolean supportsLinks() {
        return true;
    }

    /** The user's files and empty directories, and every staged upload (the staging area is shared; the tests run one at a time). */
    @Override
    List<String> stored(String username) throws IOException {
        Path home = ferry.homeOf(username);
        List<String> stored = new ArrayList<>();
        try (Stream<Path> files = Files.walk(home)) {
            files.filter(file -> !file.equals(home)).forEach(file -> {
                if (Files.isRegularFile(file)) {
                    stored.add(home.relativize(file).toString());
                } else if (isEmptyDirectory(file)) {
                    stored.add(home.relativize(file) + "/");
                }
            });
        }
        try (Stream<Path> staged = Files.list(ferry.storageRoot().resolve(".ferry-staging"))) {
            staged.forEach(file -> stored.add("staged:" + file.getFileName()));
        }
        return stored;
    }

    private static boolean isEmptyDirectory(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    int churnRounds() {
        return 15;
    }

    /**
     * An OPEN with CREAT but without TRUNC (SftpTestClient's put, resuming clients) of a name that
     * another session removes at that moment creates the file, as open(2) does; it never fails
     * with "No such file". Local homes: an S3 upload that keeps the object's bytes copies them from
     * the object it found at OPEN.
     */
    @Test
    void anOpenWithoutTruncateOfANameRemovedMeanwhileCreatesIt() throws Exception {
        String user = newUser();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        java.util.List<java.util.concurrent.Future<?>> sessions = new java.util.ArrayList<>();
        for (int s = 0; s < 8; s++) {
            sessions.add(pool.submit(() -> {
                try (dev.ferry.testsupport.SftpTestClient client = java(user)) {
                    for (int round = 0; round < 40; round++) {
                        client.put("/contended.txt", ("round " + round).getBytes());
                        try {
                            client.sftp().remove("/contended.txt");
                        } catch (org.apache.sshd.sftp.common.SftpException gone) {
                            // another session removed it first
                        }
                    }
                }
                return null;
            }));
        }
        for (java.util.concurrent.Future<?> session : sessions) {
            session.get();
        }
        pool.shutdown();
    }
}
