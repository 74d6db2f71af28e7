package dev.ferry.storage;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;

/**
 * A write in progress. Its bytes are invisible under the target name until {@link #commit()};
 * {@link #abort()} (or closing without commit) discards them and leaves the target as it was.
 * Unlike {@link java.nio.channels.FileChannel#truncate}, {@link #truncate(long)} also extends:
 * with zeros, as {@code ftruncate} does. A storage that cannot truncate what it already stored
 * refuses with {@link UnsupportedByStorageException} and changes nothing.
 */
public interface StagedWrite extends SeekableByteChannel {

    /** The path the client asked for. */
    Path target();

    /** Where the bytes are while the write is in progress, for stat and setstat on the open handle. */
    Path stagedFile();

    /** Publishes the staged bytes under the target name, replacing it atomically; closes the channel. */
    void commit() throws IOException;

    /** Discards the staged bytes; closes the channel. Never throws. */
    void abort();

    /**
     * The client went away before closing: keeps what the storage can let a later session
     * continue (S3 homes keep interrupted uploads where configured to), discards the rest. Never throws.
     *
     * @return whether something was kept for resuming
     */
    default boolean suspend() {
        abort();
        return false;
    }

    /** Size of the file this write replaces when published, or -1 when it creates a new one. */
    long replacedSize();

    /** The stored object's version once committed, where the storage names versions (S3); else null. */
    default ObjectVersion storedVersion() {
        return null;
    }

    boolean isCommitted();
}
