package dev.ferry.storage.s3;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.sshd.common.file.util.BaseFileSystem;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * One user's home on S3: the objects under {@code bucket/prefix}, seen as a file system whose
 * "/" is the prefix. Directories are key prefixes; an empty directory is kept by a zero-byte
 * marker object named {@code dir/}. This class answers what a name holds and changes names
 * (mkdir, remove, rename); uploads ({@link S3Upload}) and downloads ({@link S3ReadChannel}) are
 * their own classes, and every request to S3 goes through the home's {@link S3Bucket}.
 */
final class S3FileSystem extends BaseFileSystem<S3Path> {

    private final HomeStorage storage;
    private final S3Bucket bucket;
    private final String prefix;
    private final KeptAttributes attributes;
    private volatile boolean open = true;

    S3FileSystem(S3FileSystemProvider provider, HomeStorage storage) {
        super(provider);
        this.storage = storage;
        this.bucket = storage.bucket();
        this.prefix = storage.prefix();
        this.attributes = storage.attributes();
    }

    @Override
    protected S3Path create(String root, List<String> names) {
        return new S3Path(this, root, names);
    }

    @Override
    public S3FileSystemProvider provider() {
        return (S3FileSystemProvider) super.provider();
    }

    @Override
    public void close() {
        open = false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public Set<String> supportedFileAttributeViews() {
        return Set.of("basic", "posix");
    }

    @Override
    public UserPrincipalLookupService getUserPrincipalLookupService() {
        throw new UnsupportedOperationException("S3 storage has no owners");
    }

    /** What the uploads and downloads of this home work with. */
    HomeStorage storage() {
        return storage;
    }

    // ---- keys ---------------------------------------------------------------------------

    /** The object key of a file. */
    String key(S3Path path) throws IOException {
        List<String> names = path.names();
        if (names.isEmpty()) {
            throw new FileSystemException("/", null, "is a directory");
        }
        return prefix + String.join("/", names);
    }

    /** The key prefix of a directory's content, ending with '/' (the home's prefix for "/"). */
    String directoryPrefix(S3Path path) {
        List<String> names = path.names();
        return names.isEmpty() ? prefix : prefix + String.join("/", names) + "/";
    }

    // ---- reading state ------------------------------------------------------------------

    /** The file or directory at the path; a stat answer is cached on the path object. */
    S3Attributes stat(S3Path path) throws IOException {
        S3Attributes cached = path.cached();
        if (cached != null) {
            return cached;
        }
        S3Attributes found = lookUp(path).orElseThrow(() -> new NoSuchFileException(path.virtual()));
        path.withAttributes(found);
        return found;
    }

    Optional<S3Attributes> lookUp(S3Path path) throws IOException {
        if (path.cached() != null) {
            return Optional.of(path.cached()); // seen earlier in this request (MINA's own existence checks)
        }
        if (path.isHomeRoot()) {
            return Optional.of(S3Attributes.directory(Instant.EPOCH));
        }
        String key = key(path);
        Optional<S3Attributes> file = bucket.head(key, path.virtual());
        if (file.isPresent()) {
            return Optional.of(attributes.shownFor(key, file.get()));
        }
        // A directory: its marker (made by mkdir), or objects under it put there by other tools.
        Optional<S3Attributes> marker = bucket.head(key + "/", path.virtual());
        if (marker.isPresent()) {
            return Optional.of(S3Attributes.directory(marker.get().lastModified()));
        }
        if (!bucket.firstUnder(key + "/", 1, path.virtual()).isEmpty()) {
            return Optional.of(S3Attributes.directory(Instant.EPOCH));
        }
        if (!storage.properties().resumeInterruptedUploads()) {
            return Optional.empty(); // nothing under the name until an upload is closed
        }
        // Where interrupted uploads are kept for resuming, one to a new name answers stat with the
        // size it can resume from, so OpenSSH's reput and lftp's put -c know where to continue. It
        // is never listed or readable.
        return storage.pending().resumableSize(bucket.name(), key).map(size -> S3Attributes.file(size, Instant.now(), null, null));
    }

    /** Refuses a path whose parent is missing or a file (the error names the path). */
    void requireParentDirectory(S3Path path) throws IOException {
        S3Attributes parent = lookUp(path.parentDirectory()).orElseThrow(() -> new NoSuchFileException(path.virtual()));
        if (!parent.isDirectory()) {
            throw new FileSystemException(path.virtual(), null, "its parent is not a directory");
        }
    }

    // ---- changes ------------------------------------------------------------------------

    void createDirectory(S3Path dir) throws IOException {
        String path = dir.virtual();
        if (dir.isHomeRoot()) {
            throw new FileAlreadyExistsException(path);
        }
        requireParentDirectory(dir);
        if (lookUp(dir).isPresent()) {
            throw new FileAlreadyExistsException(path);
        }
        bucket.putEmpty(directoryPrefix(dir), path);
        dir.forget();
    }

    /**
     * Keeps the modification time or mode a client sets on a file (S3 can change neither on an
     * object); on a file being uploaded they are kept with the upload until it is published.
     * Directories keep none: setting them is accepted and changes nothing.
     */
    void setByClient(S3Path path, ObjectAttributes.Values set) throws IOException {
        if (path.upload() != null) {
            path.upload().setByClient(set);
            return;
        }
        S3Attributes current = stat(path);
        if (current.isDirectory() || current.etag() == null) {
            return; // a directory, or an interrupted upload: accepted, nothing to keep
        }
        attributes.set(key(path), current.etag(), set, path.virtual());
        path.forget();
    }

    void delete(S3Path path) throws IOException {
        String name = path.virtual();
        if (path.isHomeRoot()) {
            throw new FileSystemException(name, null, "the home cannot be removed");
        }
        S3Attributes found = lookUp(path).orElseThrow(() -> new NoSuchFileException(name));
        if (found.isDirectory()) {
            String dirPrefix = directoryPrefix(path);
            if (bucket.firstUnder(dirPrefix, 2, name).stream().anyMatch(o -> !o.key().equals(dirPrefix))) {
                throw new DirectoryNotEmptyException(name);
            }
            bucket.delete(dirPrefix, name);
        } else {
            String key = key(path);
            if (found.etag() != null) {
                bucket.delete(key, name);
                attributes.removed(key, found.etag());
            }
            storage.pending().discardResumable(bucket, key); // the name goes, with any interrupted upload of it
        }
        path.forget();
    }

    /**
     * Renames a file by server-side copy then delete, or a directory by moving everything under
     * it the same way (not atomic: a failure part-way leaves both names holding part of the
     * content, nothing is lost).
     */
    void move(S3Path source, S3Path target, boolean replace) throws IOException {
        String from = source.virtual();
        String to = target.virtual();
        if (source.isHomeRoot() || target.isHomeRoot()) {
            throw new FileSystemException(from, to, "the home itself cannot be renamed");
        }
        S3Attributes moving = lookUp(source).orElseThrow(() -> new NoSuchFileException(from));
        if (moving.isRegularFile() && moving.etag() == null) {
            throw new FileSystemException(from, null, "an interrupted upload cannot be renamed: resume or remove it");
        }
        requireParentDirectory(target);
        Optional<S3Attributes> existing = lookUp(target);
        if (source.names().equals(target.names())) {
            return;
        }
        if (existing.isPresent()) {
            if (!replace || existing.get().isDirectory() || moving.isDirectory()) {
                throw new FileAlreadyExistsException(to);
            }
        }
        if (moving.isDirectory()) {
            String fromPrefix = directoryPrefix(source);
            String toPrefix = directoryPrefix(target);
            if (toPrefix.startsWith(fromPrefix)) {
                throw new FileSystemException(from, to, "a directory cannot be moved into itself");
            }
            moveAll(fromPrefix, toPrefix, from);
        } else {
            String sourceKey = key(source);
            var copy = bucket.copy(sourceKey, key(target), moving.size(), copyInPartsAbove(), from);
            bucket.delete(sourceKey, from);
            attributes.moved(List.of(new ObjectAttributes.Move(sourceKey, moving.etag(), key(target), copy.etag())));
        }
        source.forget();
        target.forget();
    }

    /**
     * Copies a regular file of {@code sourceHome} (this home or another one in the same bucket) to
     * {@code target} of this home inside S3: the target object appears whole when the copy
     * completes, or not at all. Replaces a file at the target, never a directory.
     */
    long copyFrom(S3FileSystem sourceHome, S3Path source, S3Path target) throws IOException {
        String from = source.virtual();
        S3Attributes copying = sourceHome.lookUp(source).orElseThrow(() -> new NoSuchFileException(from));
        if (!copying.isRegularFile() || copying.etag() == null) {
            throw new FileSystemException(from, null, "is not a stored file");
        }
        if (target.isHomeRoot()) {
            throw new FileSystemException(target.virtual(), null, "is a directory");
        }
        requireParentDirectory(target);
        Optional<S3Attributes> existing = lookUp(target);
        if (existing.isPresent() && existing.get().isDirectory()) {
            throw new FileSystemException(target.virtual(), null, "is a directory");
        }
        bucket.copy(sourceHome.key(source), key(target), copying.size(), copyInPartsAbove(), from);
        target.forget();
        return copying.size();
    }

    private void moveAll(String fromPrefix, String toPrefix, String path) throws IOException {
        // Directory markers go last, deepest first: stores that keep directories as directories
        // (S3Proxy's file store) cannot remove one before its content.
        List<String> markers = new ArrayList<>();
        bucket.forEachPage(fromPrefix, path, page -> {
            List<String> moved = new ArrayList<>();
            List<ObjectAttributes.Move> attributesMoving = new ArrayList<>();
            for (S3Object object : page) {
                String toKey = toPrefix + object.key().substring(fromPrefix.length());
                if (object.key().endsWith("/") && object.size() == 0) {
                    // made anew rather than copied: some stores cannot copy a key ending with '/'
                    bucket.putEmpty(toKey, path);
                    markers.add(object.key());
                } else {
                    var copy = bucket.copy(object.key(), toKey, object.size(), copyInPartsAbove(), path);
                    moved.add(object.key());
                    attributesMoving.add(new ObjectAttributes.Move(object.key(), object.eTag(), toKey, copy.etag()));
                }
            }
            bucket.deleteAll(moved, path);
            attributes.moved(attributesMoving);
        });
        if (!markers.contains(fromPrefix)) {
            markers.add(fromPrefix); // not every store lists a prefix's own marker under it
            bucket.putEmpty(toPrefix, path);
        }
        markers.sort(Comparator.reverseOrder());
        for (String marker : markers) {
            bucket.delete(marker, path);
        }
    }

    private long copyInPartsAbove() {
        return storage.properties().copyInPartsAbove().toBytes();
    }
}
