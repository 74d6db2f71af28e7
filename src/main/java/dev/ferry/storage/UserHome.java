package dev.ferry.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.util.Set;

/**
 * One user's home, opened for a session. Paths are of {@link #fileSystem()}, whose root is the
 * home: nothing outside it can be named.
 */
public interface UserHome extends Closeable {

    FileSystem fileSystem();

    /** What of {@link Capability} this home's storage has; the rest is refused by {@link #require}. */
    Set<Capability> capabilities();

    /** The storage's name in messages: "S3". */
    String storageName();

    /**
     * Refuses what this storage cannot do at all, before anything else is looked at, with a
     * message saying so ("symbolic links are not supported on S3 storage").
     */
    default void require(Capability capability, Path path) throws UnsupportedByStorageException {
        if (!capabilities().contains(capability)) {
            throw new UnsupportedByStorageException(path.toString(), capability.description() + " are not supported on "
                    + storageName() + " storage");
        }
    }

    /**
     * Refuses a path that resolves (through symbolic links) outside the home.
     *
     * @param followFinal whether the last element is followed if it is a link (open, stat) or
     *                    not (lstat, remove, rename of the link itself)
     */
    void checkConfined(Path path, boolean followFinal) throws IOException;

    /**
     * The path with every link among its parents resolved (and the last element too if
     * {@code followFinal}), as a path of this home; the path itself where there are no links.
     * Permission checks use it so a link cannot lend one path's rights to another.
     */
    default Path resolveLinks(Path path, boolean followFinal) throws IOException {
        return path.toAbsolutePath().normalize();
    }

    /**
     * Opens a file for writing so that nothing appears under its name until
     * {@link StagedWrite#commit()}: readers keep seeing the previous content (or nothing).
     * Without {@code TRUNCATE_EXISTING} the staged file starts as a copy of the existing one,
     * so appends, resumes and in-place writes keep their meaning.
     * <p>
     * The caller has confined {@code file} ({@link #checkConfined checkConfined(file, false)},
     * which the SFTP layer does once per request when it resolves the path); a link as the last
     * element is checked here.
     */
    StagedWrite openForWrite(Path file, Set<? extends OpenOption> options, FileAttribute<?>... attributes)
            throws IOException;

    /**
     * Opens a new version of an existing regular file for a truncation (SETSTAT with a size): the
     * staged write starts as the file's first {@code min(size, current size)} bytes, and
     * {@link StagedWrite#truncate truncate(size)} then brings it to the size. Published like an
     * upload, atomically, on {@link StagedWrite#commit()}. A link as the last element is followed.
     * The caller has confined {@code file}, as for {@link #openForWrite}.
     */
    StagedWrite openForTruncate(Path file, long size) throws IOException;

    /** Opens a file for reading (the path was checked by the caller). */
    default SeekableByteChannel openForRead(Path file) throws IOException {
        return FileChannel.open(file, StandardOpenOption.READ);
    }

    /**
     * What identifies the content stored under {@code file} right now (links followed), asked of
     * the storage now: two equal identities mean the same bytes, and any change of the content,
     * by Ferry or behind its back, changes it (local disk: device, inode, size, modification and
     * change times in nanoseconds; S3: size and ETag). Null when the storage cannot tell: nothing
     * is then remembered about the file's digest.
     */
    default String contentIdentity(Path file) throws IOException {
        return null;
    }

    /**
     * Opens a file for reading with the identity of the content the channel reads. This default
     * asks the identity before opening: a file replaced between the two then shows a changed
     * identity when it is asked again after the read (a rename changes the change time).
     */
    default IdentifiedRead openIdentified(Path file) throws IOException {
        String identity = contentIdentity(file);
        return new IdentifiedRead(openForRead(file), identity);
    }

    /**
     * The identity of what a write just published under {@code target} ({@code size} bytes, stored
     * as {@code version} where the storage names versions), asked under the name's lock right
     * after publishing.
     */
    default String publishedIdentity(Path target, long size, ObjectVersion version) throws IOException {
        return contentIdentity(target);
    }

    /**
     * The stored object's ETag and version id as they were when the file was last looked at
     * (opened, listed), without asking the storage again; null where the storage has none.
     */
    default ObjectVersion objectVersion(Path file) {
        return null;
    }

    /**
     * Creates a symbolic link at {@code link} (a confined path) to {@code target} as the client gave
     * it: an absolute target is a path of the home, a relative one is taken from the link's
     * directory. A target that leads outside the home is refused. Backends without links refuse.
     */
    default void createSymbolicLink(Path link, String target) throws IOException {
        Files.createSymbolicLink(link, link.getFileSystem().getPath(target));
    }

    /** The target of the link at {@code link}, in the form it was created with (absolute or relative). */
    default String readSymbolicLink(Path link) throws IOException {
        return Files.readSymbolicLink(link).toString();
    }

    /**
     * The size of the regular file stored under {@code path} right now (links not followed), or -1
     * when there is none (nothing, a directory, a link): what a publish, remove or rename there
     * changes in the user's usage. Asks the storage every time.
     */
    default long storedFileSize(Path path) throws IOException {
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return attributes.isRegularFile() ? attributes.size() : -1;
        } catch (NoSuchFileException e) {
            return -1;
        }
    }

    /**
     * Copies the regular file {@code source} of {@code from} (this home or another one, of any
     * storage) to {@code target} of this home, replacing what is there: the target appears whole
     * or not at all, and a failure leaves it as it was. The parent of {@code target} must exist.
     * Both paths are confined by the caller. This default streams the bytes through
     * {@link #openForWrite} (staged, then published as an upload is); storage that can copy inside
     * itself overrides it (S3: a server-side copy within one bucket).
     *
     * @return the number of bytes copied
     */
    default long copyFrom(UserHome from, Path source, Path target) throws IOException {
        try (SeekableByteChannel in = from.openForRead(source)) {
            StagedWrite out = openForWrite(target, Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING));
            try {
                long copied = 0;
                java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(256 * 1024);
                while (in.read(buffer) >= 0) {
                    buffer.flip();
                    while (buffer.hasRemaining()) {
                        copied += out.write(buffer);
                    }
                    buffer.clear();
                }
                out.commit();
                return copied;
            } finally {
                if (!out.isCommitted()) {
                    out.abort();
                }
            }
        }
    }

    /** Total and free space of the store holding the home, in bytes. */
    SpaceInfo space() throws IOException;
}
