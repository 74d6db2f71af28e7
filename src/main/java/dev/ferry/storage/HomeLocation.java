package dev.ferry.storage;

import java.util.Objects;

/**
 * Where one user's home is: the username (local homes are {@code <root>/<username>}) and, for
 * object stores, the bucket and key prefix.
 */
public record HomeLocation(String type, String username, String bucket, String prefix) {

    public HomeLocation {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(username, "username");
    }

    public static HomeLocation local(String username) {
        return new HomeLocation(StorageType.LOCAL.typeName(), username, null, null);
    }
}
