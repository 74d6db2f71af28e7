package dev.ferry.storage;

import java.io.IOException;

/**
 * A place where user homes live (local disk, S3, ...). The homes it opens say what they cannot do
 * ({@link UserHome#capabilities()}) instead of faking it; the SFTP adapter refuses that up front.
 */
public interface StorageBackend {

    /** The {@code storage.type} users name in the admin API. */
    StorageType type();

    /**
     * Refuses a home location this backend cannot serve (a malformed bucket name, say), with a
     * message for the admin who gave it.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    void check(HomeLocation location);

    /** Opens the user's home as a file system whose "/" is the home. Creates the home if missing. */
    UserHome open(HomeLocation location) throws IOException;

    /**
     * Creates an empty home where the storage needs one made (a directory on disk); does nothing
     * if it exists, or where a home exists as soon as something is stored in it (a key prefix on S3).
     */
    default void createHome(HomeLocation location) throws IOException {
    }

    /** Removes the home and everything in it. */
    void purgeHome(HomeLocation location) throws IOException;
}
