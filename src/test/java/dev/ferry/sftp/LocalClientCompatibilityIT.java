package dev.ferry.sftp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.stream.Stream;

/** The clients against homes on local disk, looked at on disk. */
class LocalClientCompatibilityIT extends ClientCompatibilityIT {

    @Override
    Map<String, String> storageSettings() {
        return Map.of();
    }

    @Override
    String storageJson(String username) {
        return null;
    }

    @Override
    byte[] stored(String username, String path) {
        try {
            return Files.readAllBytes(ferry.homeOf(username).resolve(path.substring(1)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    boolean isEmpty(String username) {
        try (Stream<?> entries = Files.list(ferry.homeOf(username))) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
