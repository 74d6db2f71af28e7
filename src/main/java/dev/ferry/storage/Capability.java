package dev.ferry.storage;

/** What a storage backend can do natively. */
public enum Capability {
    /** Writes at any offset of a file being uploaded. */
    RANDOM_WRITE("writes at any offset"),
    /** A rename that replaces the target atomically. */
    ATOMIC_RENAME("atomic renames"),
    /** Appending to, or continuing, an existing file ({@code reput}). */
    RESUME("resumed uploads"),
    SYMLINKS("symbolic links"),
    HARDLINKS("hard links"),
    /** POSIX permissions and times are kept. */
    POSIX_ATTRIBUTES("file modes and times");

    private final String description;

    Capability(String description) {
        this.description = description;
    }

    /** What the capability is called in messages, plural: "symbolic links". */
    public String description() {
        return description;
    }
}
