package dev.ferry.storage;

/**
 * What a home's storage may lack beyond files and directories. The SFTP layer asks the home
 * ({@link UserHome#require}) before it touches the storage, so a request the storage cannot serve
 * at all is answered "operation unsupported" with a reason, the same way on every backend, and
 * this is the one place that decision is made. Everything else a backend does differently (S3
 * cannot rewrite bytes already sent, for one) depends on the state of the file and is refused by
 * the backend itself ({@link UnsupportedByStorageException}).
 */
public enum Capability {
    SYMLINKS("symbolic links"),
    HARDLINKS("hard links");

    private final String description;

    Capability(String description) {
        this.description = description;
    }

    /** What the capability is called in messages, plural: "symbolic links". */
    public String description() {
        return description;
    }
}
