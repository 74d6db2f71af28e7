package dev.ferry.storage;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;

/**
 * A write in progress. Its bytes are invisible under the target name until {@link #commit()};
 * {@link #abort()} (or closing without commit) discards them and leaves the target as it was.
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

    boolean isCommitted();
}
