package dev.ferry.storage;

/** What a storage backend can do natively. */
public enum Capability {
    /** Writes at any offset of a file being uploaded. */
    RANDOM_WRITE,
    /** A rename that replaces the target atomically. */
    ATOMIC_RENAME,
    /** Appending to, or continuing, an existing file ({@code reput}). */
    RESUME,
    SYMLINKS,
    HARDLINKS,
    /** POSIX permissions and times are kept. */
    POSIX_ATTRIBUTES
}
