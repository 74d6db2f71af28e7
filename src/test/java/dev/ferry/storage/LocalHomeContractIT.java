package dev.ferry.storage;

import dev.ferry.testsupport.FerryInstance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

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
}
