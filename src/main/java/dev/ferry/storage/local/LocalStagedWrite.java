package dev.ferry.storage.local;

import dev.ferry.shared.ForwardingChannel;
import dev.ferry.storage.StagedWrite;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * An upload written to a staging file and published by one atomic rename (or, for an
 * exclusive create, a hard link that fails if the name was taken meanwhile).
 */
final class LocalStagedWrite extends ForwardingChannel implements StagedWrite {

    private final FileChannel channel;
    private final Path target;
    private final Path staged;
    private final Path localTarget;
    private final boolean exclusive;
    private final long replacedSize;
    private volatile boolean committed;

    LocalStagedWrite(FileChannel channel, Path target, Path staged, Path localTarget, boolean exclusive, long replacedSize) {
        super(channel);
        this.channel = channel;
        this.target = target;
        this.staged = staged;
        this.localTarget = localTarget;
        this.exclusive = exclusive;
        this.replacedSize = replacedSize;
    }

    @Override
    public long replacedSize() {
        return replacedSize;
    }

    /** Shrinks, or extends with zeros (sparse on file systems that can), as ftruncate does. */
    @Override
    public LocalStagedWrite truncate(long size) throws IOException {
        long current = channel.size();
        if (size < current) {
            channel.truncate(size);
        } else if (size > current) {
            channel.write(ByteBuffer.wrap(new byte[1]), size - 1);
        }
        return this;
    }

    @Override
    public Path target() {
        return target;
    }

    @Override
    public Path stagedFile() {
        return staged;
    }

    @Override
    public synchronized void commit() throws IOException {
        if (committed) {
            return;
        }
        channel.close();
        try {
            if (exclusive) {
                Files.createLink(localTarget, staged);
                Files.delete(staged);
            } else {
                try {
                    Files.move(staged, localTarget, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    // The home is on another file system than the staging area (a mount inside the root).
                    Files.move(staged, localTarget, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            committed = true;
        } catch (FileAlreadyExistsException e) {
            abort();
            throw new FileAlreadyExistsException(target.toString());
        } catch (NoSuchFileException e) {
            abort();
            throw new NoSuchFileException(String.valueOf(target.toAbsolutePath().getParent()));
        } catch (IOException | RuntimeException e) {
            abort();
            throw e;
        }
    }

    @Override
    public void abort() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // the staged bytes are discarded anyway
        }
        try {
            Files.deleteIfExists(staged);
        } catch (IOException ignored) {
            // left for the start-up cleanup of stale staged files
        }
    }

    @Override
    public boolean isCommitted() {
        return committed;
    }

    /** Closing without {@link #commit()} discards the upload. */
    @Override
    public void close() {
        if (!committed) {
            abort();
        }
    }
}
