package dev.ferry.storage;

import java.io.IOException;
import java.util.Set;

/**
 * A place where user homes live (local disk, S3, ...). Backends declare what they can do
 * ({@link Capability}) instead of faking it; the SFTP adapter refuses what a backend cannot do.
 */
public interface StorageBackend {

    /** The {@code storage.type} users name in the admin API, e.g. {@code local}. */
    String type();

    Set<Capability> capabilities();

    /**
     * Refuses a home location this backend cannot serve (a malformed bucket name, say), with a
     * message for the admin who gave it.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    default void check(HomeLocation location) {
    }

    /** Opens the user's home as a file system whose "/" is the home. Creates the home if missing. */
    UserHome open(HomeLocation location) throws IOException;

    /** Creates an empty home; does nothing if it exists. */
    void createHome(HomeLocation location) throws IOException;

    /** Removes the home and everything in it. */
    void purgeHome(HomeLocation location) throws IOException;
}
