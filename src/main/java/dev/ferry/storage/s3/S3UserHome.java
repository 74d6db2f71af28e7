package dev.ferry.storage.s3;

import dev.ferry.storage.Capability;
import dev.ferry.storage.IdentifiedRead;
import dev.ferry.storage.ObjectVersion;
import dev.ferry.storage.SpaceInfo;
import dev.ferry.storage.StagedWrite;
import dev.ferry.storage.UserHome;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.util.Optional;
import java.util.Set;

/**
 * A home on S3. Paths cannot leave it: every key is the home's prefix plus the path's names with
 * "." and ".." resolved inside the home, and S3 has no links to follow.
 */
final class S3UserHome implements UserHome {

    /** What {@code df} shows: S3 has no size, so a petabyte (a quota, where set, is shown instead). */
    private static final long REPORTED_SPACE = 1L << 50;

    private final S3FileSystem fs;

    S3UserHome(S3FileSystem fs) {
        this.fs = fs;
    }

    @Override
    public FileSystem fileSystem() {
        return fs;
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(); // S3 has no links: the SFTP layer refuses them before anything else is looked at
    }

    @Override
    public String storageName() {
        return "S3";
    }

    @Override
    public void checkConfined(Path path, boolean followFinal) throws IOException {
        S3FileSystemProvider.s3(path).names(); // refuses names no key can hold
    }

    @Override
    public StagedWrite openForWrite(Path file, Set<? extends OpenOption> options, FileAttribute<?>... attributes)
            throws IOException {
        S3Path path = S3FileSystemProvider.s3(file);
        String name = path.virtual();
        if (path.isHomeRoot()) {
            throw new FileSystemException(name, null, "is a directory");
        }
        fs.requireParentDirectory(path);
        Optional<S3Attributes> existing = fs.lookUp(path);
        if (existing.isPresent() && existing.get().isDirectory()) {
            throw new FileSystemException(name, null, "is a directory");
        }
        S3Attributes object = existing.filter(a -> a.etag() != null).orElse(null);
        boolean resumable = existing.isPresent() && object == null;
        if (object != null && options.contains(StandardOpenOption.CREATE_NEW)) {
            throw new FileAlreadyExistsException(name);
        }
        if (object == null && !resumable && !options.contains(StandardOpenOption.CREATE)
                && !options.contains(StandardOpenOption.CREATE_NEW)) {
            throw new NoSuchFileException(name);
        }
        boolean truncate = options.contains(StandardOpenOption.TRUNCATE_EXISTING);
        PendingUploads.Resumable candidate = resumable && !truncate
                ? fs.storage().pending().claim(fs.storage().bucket().name(), fs.key(path)).orElse(null) : null;
        return new S3Upload(fs, path, object, !truncate, options.contains(StandardOpenOption.CREATE_NEW), candidate,
                modeSentWithOpen(attributes));
    }

    @Override
    public StagedWrite openForTruncate(Path file, long size) throws IOException {
        S3Path path = S3FileSystemProvider.s3(file);
        String name = path.virtual();
        if (path.isHomeRoot()) {
            throw new FileSystemException(name, null, "is a directory");
        }
        S3Attributes existing = fs.lookUp(path).orElseThrow(() -> new NoSuchFileException(name));
        if (existing.isDirectory()) {
            throw new FileSystemException(name, null, "is a directory");
        }
        if (existing.etag() == null) {
            throw new NoSuchFileException(name); // an interrupted upload, not a file yet
        }
        S3Upload upload = new S3Upload(fs, path, existing, true, false, null, null);
        try {
            upload.truncate(Math.min(size, existing.size()));
        } catch (IOException | RuntimeException e) {
            upload.abort();
            throw e;
        }
        return upload;
    }

    /**
     * The permission bits a client sent with OPEN (clients send the local file's mode), as
     * {@link dev.ferry.storage.CreationMode} applies them. Null when none were sent.
     */
    private static Integer modeSentWithOpen(FileAttribute<?>... attributes) {
        for (FileAttribute<?> attribute : attributes) {
            if (attribute.name().endsWith("permissions") && attribute.value() instanceof Set<?> permissions) {
                return dev.ferry.storage.CreationMode.ofFile(S3Attributes.bits(permissions));
            }
        }
        return null;
    }

    @Override
    public SeekableByteChannel openForRead(Path file) throws IOException {
        return S3ReadChannel.open(S3FileSystemProvider.s3(file));
    }

    /** Size and ETag, from a HEAD of the object now: an ETag names one stored content of the key. */
    @Override
    public String contentIdentity(Path path) throws IOException {
        S3Path file = S3FileSystemProvider.s3(path);
        if (file.isHomeRoot()) {
            return null;
        }
        return fs.storage().bucket().head(fs.key(file), file.virtual())
                .map(a -> a.isDirectory() || a.etag() == null ? null : S3ReadChannel.identity(a.size(), a.etag())).orElse(null);
    }

    /** The identity of the version the channel reads: every GET of it names that ETag (If-Match). */
    @Override
    public IdentifiedRead openIdentified(Path file) throws IOException {
        S3ReadChannel channel = S3ReadChannel.open(S3FileSystemProvider.s3(file));
        return new IdentifiedRead(channel, channel.identity());
    }

    @Override
    public String publishedIdentity(Path target, long size, ObjectVersion version) throws IOException {
        return version == null || version.etag() == null ? contentIdentity(target) : S3ReadChannel.identity(size, version.etag());
    }

    @Override
    public ObjectVersion objectVersion(Path file) {
        S3Attributes known = file instanceof S3Path path ? path.cached() : null;
        return known == null || known.etag() == null ? null : new ObjectVersion(known.etag(), known.versionId());
    }

    /** One HEAD of the object: a directory or an interrupted upload under the name is not a stored file. */
    @Override
    public long storedFileSize(Path path) throws IOException {
        S3Path file = S3FileSystemProvider.s3(path);
        if (file.isHomeRoot()) {
            return -1;
        }
        return fs.storage().bucket().head(fs.key(file), file.virtual()).map(S3Attributes::size).orElse(-1L);
    }

    /** A server-side copy (CopyObject, UploadPartCopy for big objects) when both homes are in one bucket; else streamed. */
    @Override
    public long copyFrom(UserHome from, Path source, Path target) throws IOException {
        if (from instanceof S3UserHome other && other.fs.storage().bucket().name().equals(fs.storage().bucket().name())) {
            return fs.copyFrom(other.fs, S3FileSystemProvider.s3(source), S3FileSystemProvider.s3(target));
        }
        return UserHome.super.copyFrom(from, source, target);
    }

    @Override
    public SpaceInfo space() {
        return new SpaceInfo(REPORTED_SPACE, REPORTED_SPACE, REPORTED_SPACE);
    }

    @Override
    public void close() {
        fs.close();
    }
}
