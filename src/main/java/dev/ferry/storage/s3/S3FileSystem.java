package dev.ferry.storage.s3;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import org.apache.sshd.common.file.util.BaseFileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * One user's home on S3: the objects under {@code bucket/prefix}, seen as a file system whose
 * "/" is the prefix. Directories are key prefixes; an empty directory is kept by a zero-byte
 * marker object named {@code dir/}.
 */
final class S3FileSystem extends BaseFileSystem<S3Path> {

    private static final Logger log = LoggerFactory.getLogger(S3FileSystem.class);

    final S3Client s3;
    final String bucket;
    /** Empty, or ends with '/'. */
    final String prefix;
    final S3StorageProperties properties;
    final PendingUploads pending;
    final ObjectAttributes attributes;
    final ExecutorService partSenders;
    /** Part buffers that uploads may hold beyond their first one, shared by all homes of the backend. */
    final Semaphore uploadMemory;
    private volatile boolean open = true;

    S3FileSystem(S3FileSystemProvider provider, S3Client s3, String bucket, String prefix, S3StorageProperties properties,
            PendingUploads pending, ObjectAttributes attributes, ExecutorService partSenders, Semaphore uploadMemory) {
        super(provider);
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
        this.properties = properties;
        this.pending = pending;
        this.attributes = attributes;
        this.partSenders = partSenders;
        this.uploadMemory = uploadMemory;
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

    // ---- keys ---------------------------------------------------------------------------

    /** The path's names from the home's root, with "." and ".." resolved; ".." never climbs above "/". */
    static List<String> names(S3Path path) throws IOException {
        List<String> names = new ArrayList<>();
        for (java.nio.file.Path element : path.toAbsolutePath()) {
            String name = element.toString();
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                if (!names.isEmpty()) {
                    names.remove(names.size() - 1);
                }
                continue;
            }
            if (name.indexOf('\0') >= 0 || name.indexOf('/') >= 0) {
                throw new java.nio.file.InvalidPathException(name, "invalid file name");
            }
            names.add(name);
        }
        return names;
    }

    boolean isRoot(S3Path path) throws IOException {
        return names(path).isEmpty();
    }

    /** The object key of a file. */
    String key(S3Path path) throws IOException {
        List<String> names = names(path);
        if (names.isEmpty()) {
            throw new FileSystemException("/", null, "is a directory");
        }
        return prefix + String.join("/", names);
    }

    /** The key prefix of a directory's content, ending with '/' (the home's prefix for "/"). */
    String directoryPrefix(S3Path path) throws IOException {
        List<String> names = names(path);
        return names.isEmpty() ? prefix : prefix + String.join("/", names) + "/";
    }

    static String virtual(S3Path path) {
        try {
            return "/" + String.join("/", names(path));
        } catch (IOException | RuntimeException e) {
            return path.toString();
        }
    }

    // ---- reading state ------------------------------------------------------------------

    /** The file or directory at the path; a stat answer is cached on the path object. */
    S3Attributes stat(S3Path path) throws IOException {
        S3Attributes cached = path.cached();
        if (cached != null) {
            return cached;
        }
        S3Attributes attributes = lookUp(path).orElseThrow(() -> new NoSuchFileException(virtual(path)));
        path.withAttributes(attributes);
        return attributes;
    }

    Optional<S3Attributes> lookUp(S3Path path) throws IOException {
        if (path.cached() != null) {
            return Optional.of(path.cached()); // seen earlier in this request (MINA's own existence checks)
        }
        if (isRoot(path)) {
            return Optional.of(S3Attributes.directory(Instant.EPOCH));
        }
        String key = key(path);
        Optional<S3Attributes> file = headObject(key, virtual(path));
        if (file.isPresent()) {
            return Optional.of(withWhatClientsSet(key, file.get()));
        }
        // A directory: its marker (made by mkdir), or objects under it put there by other tools.
        Optional<S3Attributes> marker = headObject(key + "/", virtual(path));
        if (marker.isPresent()) {
            return Optional.of(S3Attributes.directory(marker.get().lastModified()));
        }
        if (hasAnyUnder(key + "/", path)) {
            return Optional.of(S3Attributes.directory(Instant.EPOCH));
        }
        if (!properties.resumeInterruptedUploads()) {
            return Optional.empty(); // nothing under the name until an upload is closed
        }
        // Where interrupted uploads are kept for resuming, one to a new name answers stat with the
        // size it can resume from, so OpenSSH's reput and lftp's put -c know where to continue. It
        // is never listed or readable.
        return pending.resumableSize(bucket, key).map(size -> S3Attributes.file(size, Instant.now(), null, null));
    }

    Optional<S3Attributes> headObject(String key, String virtualPath) throws IOException {
        try {
            return headIfPresent(s3, bucket, key)
                    .map(head -> S3Attributes.file(head.contentLength(), head.lastModified(), head.eTag(), head.versionId()));
        } catch (SdkException e) {
            throw S3Errors.translate(e, virtualPath);
        }
    }

    /** The object's HEAD, or empty when the key holds none; a missing bucket is an error, not an absent object. */
    static Optional<HeadObjectResponse> headIfPresent(S3Client s3, String bucket, String key) {
        try {
            return Optional.of(s3.headObject(b -> b.bucket(bucket).key(key)));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404 && !isNoSuchBucket(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The file's attributes with the modification time and mode a client set on it, if one did. */
    private S3Attributes withWhatClientsSet(String key, S3Attributes file) {
        return attributes.find(bucket, key, file.etag()).map(file::with).orElse(file);
    }

    private static boolean isNoSuchBucket(S3Exception e) {
        return e.awsErrorDetails() != null && "NoSuchBucket".equals(e.awsErrorDetails().errorCode());
    }

    /** Whether any object's key starts with the prefix (a directory's marker or content). */
    boolean hasAnyUnder(String keyPrefix, S3Path path) throws IOException {
        try {
            ListObjectsV2Response page = s3.listObjectsV2(b -> b.bucket(bucket).prefix(keyPrefix).maxKeys(1));
            return !page.contents().isEmpty();
        } catch (SdkException e) {
            throw S3Errors.translate(e, virtual(path));
        }
    }

    // ---- changes ------------------------------------------------------------------------

    void createDirectory(S3Path dir) throws IOException {
        String path = virtual(dir);
        if (isRoot(dir)) {
            throw new FileAlreadyExistsException(path);
        }
        requireDirectory(parentOf(dir), path);
        if (lookUp(dir).isPresent()) {
            throw new FileAlreadyExistsException(path);
        }
        String marker = directoryPrefix(dir);
        try {
            s3.putObject(b -> b.bucket(bucket).key(marker).contentLength(0L), RequestBody.empty());
        } catch (SdkException e) {
            throw S3Errors.translate(e, path);
        }
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
        try {
            attributes.set(bucket, key(path), current.etag(), set);
        } catch (DataAccessException e) {
            log.warn("Could not store the modification time or mode of s3://{}/{}: {}", bucket, key(path), e.toString());
            throw new FileSystemException(virtual(path), null, "the modification time or mode could not be stored, try again later");
        }
        path.forget();
    }

    /** The object with this ETag was removed from the key, or replaced, by this server: what was set on it goes. */
    void forgetWhatClientsSet(String key, String etag) {
        try {
            attributes.forget(bucket, key, etag);
        } catch (DataAccessException e) {
            // harmless for what clients see: the row is tied to that object's ETag
            log.warn("Could not drop the modification time and mode stored for s3://{}/{}: {}", bucket, key, e.toString());
        }
    }

    /**
     * This server stored an object at the key: it shows the time and mode the client set while
     * uploading (or that an append kept), never those set on the object it replaced (which may
     * have had the same ETag).
     */
    void objectStored(String key, String etag, ObjectAttributes.Values set) {
        try {
            attributes.stored(bucket, key, etag, set);
        } catch (DataAccessException e) {
            // the object is stored and confirmed; only the time and mode set on it are lost
            log.warn("Could not store the modification time and mode set on s3://{}/{}: {}", bucket, key, e.toString());
        }
    }

    /** What a client set on an existing object it did not replace (a handle opened and closed without a write). */
    void setOnObject(String key, String etag, ObjectAttributes.Values set) {
        try {
            attributes.set(bucket, key, etag, set);
        } catch (DataAccessException e) {
            log.warn("Could not store the modification time and mode set on s3://{}/{}: {}", bucket, key, e.toString());
        }
    }

    /** The directory holding a path ("/" for anything directly in the home). */
    static S3Path parentOf(S3Path path) {
        S3Path absolute = path.toAbsolutePath();
        S3Path parent = absolute.getParent();
        return parent == null ? absolute.getRoot() : parent;
    }

    void requireDirectory(S3Path dir, String forPath) throws IOException {
        S3Attributes parent = lookUp(dir).orElseThrow(() -> new NoSuchFileException(forPath));
        if (!parent.isDirectory()) {
            throw new FileSystemException(forPath, null, "its parent is not a directory");
        }
    }

    void delete(S3Path path) throws IOException {
        String name = virtual(path);
        if (isRoot(path)) {
            throw new FileSystemException(name, null, "the home cannot be removed");
        }
        S3Attributes found = lookUp(path).orElseThrow(() -> new NoSuchFileException(name));
        try {
            if (found.isDirectory()) {
                String dirPrefix = directoryPrefix(path);
                ListObjectsV2Response page = s3.listObjectsV2(b -> b.bucket(bucket).prefix(dirPrefix).maxKeys(2));
                if (page.contents().stream().anyMatch(o -> !o.key().equals(dirPrefix))) {
                    throw new DirectoryNotEmptyException(name);
                }
                s3.deleteObject(b -> b.bucket(bucket).key(dirPrefix));
            } else {
                String key = key(path);
                if (found.etag() != null) {
                    s3.deleteObject(b -> b.bucket(bucket).key(key));
                    forgetWhatClientsSet(key, found.etag());
                }
                pending.discardResumable(bucket, key, s3); // the name goes, with any interrupted upload of it
            }
        } catch (SdkException e) {
            throw S3Errors.translate(e, name);
        }
        path.forget();
    }

    /**
     * Renames a file by server-side copy then delete, or a directory by moving everything under
     * it the same way (not atomic: a failure part-way leaves both names holding part of the
     * content, nothing is lost).
     */
    void move(S3Path source, S3Path target, boolean replace) throws IOException {
        String from = virtual(source);
        String to = virtual(target);
        if (isRoot(source) || isRoot(target)) {
            throw new FileSystemException(from, to, "the home itself cannot be renamed");
        }
        S3Attributes moving = lookUp(source).orElseThrow(() -> new NoSuchFileException(from));
        if (moving.isRegularFile() && moving.etag() == null) {
            throw new FileSystemException(from, null, "an interrupted upload cannot be renamed: resume or remove it");
        }
        requireDirectory(parentOf(target), to);
        Optional<S3Attributes> existing = lookUp(target);
        if (names(source).equals(names(target))) {
            return;
        }
        if (existing.isPresent()) {
            if (!replace || existing.get().isDirectory() || moving.isDirectory()) {
                throw new FileAlreadyExistsException(to);
            }
        }
        try {
            if (moving.isDirectory()) {
                String fromPrefix = directoryPrefix(source);
                String toPrefix = directoryPrefix(target);
                if (toPrefix.startsWith(fromPrefix)) {
                    throw new FileSystemException(from, to, "a directory cannot be moved into itself");
                }
                moveAll(fromPrefix, toPrefix);
            } else {
                String sourceKey = key(source);
                CopyResult copy = copyObject(sourceKey, key(target), moving.size(), moving.etag());
                s3.deleteObject(b -> b.bucket(bucket).key(sourceKey));
                attributesMoved(List.of(new ObjectAttributes.Move(sourceKey, moving.etag(), key(target), copy.etag())));
            }
        } catch (SdkException e) {
            throw S3Errors.translate(e, from);
        }
        source.forget();
        target.forget();
    }

    private void moveAll(String fromPrefix, String toPrefix) throws IOException {
        // Directory markers go last, deepest first: stores that keep directories as directories
        // (S3Proxy's file store) cannot remove one before its content.
        List<String> markers = new ArrayList<>();
        for (ListObjectsV2Response page : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(fromPrefix))) {
            List<ObjectIdentifier> moved = new ArrayList<>();
            List<ObjectAttributes.Move> attributesMoving = new ArrayList<>();
            for (S3Object object : page.contents()) {
                String toKey = toPrefix + object.key().substring(fromPrefix.length());
                if (object.key().endsWith("/") && object.size() == 0) {
                    // made anew rather than copied: some stores cannot copy a key ending with '/'
                    s3.putObject(b -> b.bucket(bucket).key(toKey).contentLength(0L), RequestBody.empty());
                    markers.add(object.key());
                } else {
                    CopyResult copy = copyObject(object.key(), toKey, object.size(), object.eTag());
                    moved.add(ObjectIdentifier.builder().key(object.key()).build());
                    attributesMoving.add(new ObjectAttributes.Move(object.key(), object.eTag(), toKey, copy.etag()));
                }
            }
            deleteKeys(s3, bucket, moved);
            attributesMoved(attributesMoving);
        }
        if (!markers.contains(fromPrefix)) {
            markers.add(fromPrefix); // not every store lists a prefix's own marker under it
            s3.putObject(b -> b.bucket(bucket).key(toPrefix).contentLength(0L), RequestBody.empty());
        }
        markers.sort(java.util.Comparator.reverseOrder());
        for (String marker : markers) {
            s3.deleteObject(b -> b.bucket(bucket).key(marker));
        }
    }

    private void attributesMoved(List<ObjectAttributes.Move> moves) {
        try {
            attributes.moved(bucket, moves);
        } catch (DataAccessException e) {
            // the files are renamed; they show the time of their copies and the default mode until a client sets them again
            log.warn("Could not move the modification times and modes of {} renamed files in s3://{}: {}", moves.size(), bucket,
                    e.toString());
        }
    }

    /**
     * Deletes keys in batches of up to 1,000; one by one where the store does not implement
     * multi-object delete (some S3-compatible stores answer 501 to it).
     */
    static void deleteKeys(S3Client s3, String bucket, List<ObjectIdentifier> keys) {
        if (keys.isEmpty()) {
            return;
        }
        try {
            s3.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(keys).quiet(true)));
        } catch (S3Exception e) {
            if (e.statusCode() != 501) {
                throw e;
            }
            for (ObjectIdentifier key : keys) {
                s3.deleteObject(b -> b.bucket(bucket).key(key.key()));
            }
        }
    }

    /** Server-side copy; multipart copy for objects too big for one. */
    CopyResult copyObject(String fromKey, String toKey, long size, String etag) {
        long singleCopyLimit = properties.copyInPartsAbove().toBytes();
        if (size <= singleCopyLimit) {
            CopyObjectResponse copied = s3.copyObject(b -> b.sourceBucket(bucket).sourceKey(fromKey)
                    .destinationBucket(bucket).destinationKey(toKey));
            return new CopyResult(copied.copyObjectResult().eTag(), copied.versionId());
        }
        long partSize = Math.max(Math.min(singleCopyLimit, 512L * 1024 * 1024), (size + 9_999) / 10_000);
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(toKey)).uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            int number = 1;
            for (long start = 0; start < size; start += partSize, number++) {
                long end = Math.min(size, start + partSize) - 1;
                int partNumber = number;
                String range = "bytes=" + start + "-" + end;
                String partEtag = s3.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey(fromKey)
                        .destinationBucket(bucket).destinationKey(toKey).uploadId(uploadId).partNumber(partNumber)
                        .copySourceRange(range)).copyPartResult().eTag();
                parts.add(CompletedPart.builder().partNumber(partNumber).eTag(partEtag).build());
            }
            var done = s3.completeMultipartUpload(b -> b.bucket(bucket).key(toKey).uploadId(uploadId)
                    .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
            return new CopyResult(done.eTag(), done.versionId());
        } catch (RuntimeException e) {
            try {
                s3.abortMultipartUpload(b -> b.bucket(bucket).key(toKey).uploadId(uploadId));
            } catch (RuntimeException ignored) {
                // nothing more to do here: the bucket's lifecycle rule for incomplete uploads collects it
            }
            throw e;
        }
    }

    record CopyResult(String etag, String versionId) {
    }
}
