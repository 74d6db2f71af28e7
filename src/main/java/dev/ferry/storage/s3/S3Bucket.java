package dev.ferry.storage.s3;

import dev.ferry.storage.ObjectVersion;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * One bucket, through the S3 client all homes share: every request Ferry sends to S3, and the one
 * place where the SDK's failures become file system exceptions ({@link S3Errors}) naming the path
 * the SFTP client asked for. Nothing outside this class sees the client or an SDK exception.
 */
final class S3Bucket {

    private static final Logger log = LoggerFactory.getLogger(S3Bucket.class);
    private static final String CONTENT_TYPE = "application/octet-stream";

    private final S3Client s3;
    private final String name;

    S3Bucket(S3Client s3, String name) {
        this.s3 = s3;
        this.name = name;
    }

    String name() {
        return name;
    }

    /** Something {@link #forEachPage} does with each page of keys; it may fail as bucket requests do. */
    @FunctionalInterface
    interface PageAction {
        void accept(List<S3Object> objects) throws IOException;
    }

    // ---- reading ------------------------------------------------------------------------

    /** The object at the key, or empty when there is none; a missing bucket is an error, not an absent object. */
    Optional<S3Attributes> head(String key, String path) throws IOException {
        try {
            return Optional.of(s3.headObject(b -> b.bucket(name).key(key)))
                    .map(head -> S3Attributes.file(head.contentLength(), head.lastModified(), head.eTag(), head.versionId()));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404 && !isNoSuchBucket(e)) {
                return Optional.empty();
            }
            throw S3Errors.translate(e, path);
        } catch (SdkException e) {
            throw S3Errors.translate(e, path);
        }
    }

    private static boolean isNoSuchBucket(S3Exception e) {
        return e.awsErrorDetails() != null && "NoSuchBucket".equals(e.awsErrorDetails().errorCode());
    }

    /** The first {@code max} objects whose keys start with the prefix. */
    List<S3Object> firstUnder(String keyPrefix, int max, String path) throws IOException {
        return request(path, () -> s3.listObjectsV2(b -> b.bucket(name).prefix(keyPrefix).maxKeys(max)).contents());
    }

    /** One page (up to 1,000 keys) of a directory's listing: objects, and the prefixes of its subdirectories. */
    ListObjectsV2Response listingPage(String keyPrefix, String continuation, String path) throws IOException {
        return request(path, () -> s3.listObjectsV2(b -> b.bucket(name).prefix(keyPrefix).delimiter("/").continuationToken(continuation)));
    }

    /** Every object under the prefix, a page at a time. */
    void forEachPage(String keyPrefix, String path, PageAction action) throws IOException {
        try {
            for (ListObjectsV2Response page : s3.listObjectsV2Paginator(b -> b.bucket(name).prefix(keyPrefix))) {
                action.accept(page.contents());
            }
        } catch (SdkException e) {
            throw S3Errors.translate(e, path);
        }
    }

    /** Reads bytes {@code from} to {@code to} (inclusive) of the object, only while it still has this ETag. */
    ResponseInputStream<GetObjectResponse> read(String key, long from, long to, String etag, String path) throws IOException {
        return request(path, () -> s3.getObject(b -> b.bucket(name).key(key).range("bytes=" + from + "-" + to).ifMatch(etag)));
    }

    // ---- whole objects ------------------------------------------------------------------

    ObjectVersion put(String key, byte[] bytes, int length, String path) throws IOException {
        var put = request(path, () -> s3.putObject(b -> b.bucket(name).key(key).contentType(CONTENT_TYPE).contentLength((long) length),
                body(bytes, length)));
        return new ObjectVersion(put.eTag(), put.versionId());
    }

    /** A zero-byte object: a directory's marker. */
    void putEmpty(String key, String path) throws IOException {
        request(path, () -> s3.putObject(b -> b.bucket(name).key(key).contentLength(0L), RequestBody.empty()));
    }

    void delete(String key, String path) throws IOException {
        request(path, () -> s3.deleteObject(b -> b.bucket(name).key(key)));
    }

    /**
     * Deletes keys in batches of up to 1,000; one by one where the store does not implement
     * multi-object delete (some S3-compatible stores answer 501 to it).
     */
    void deleteAll(List<String> keys, String path) throws IOException {
        if (keys.isEmpty()) {
            return;
        }
        List<ObjectIdentifier> objects = keys.stream().map(key -> ObjectIdentifier.builder().key(key).build()).toList();
        request(path, () -> {
            try {
                return s3.deleteObjects(b -> b.bucket(name).delete(d -> d.objects(objects).quiet(true)));
            } catch (S3Exception e) {
                if (e.statusCode() != 501) {
                    throw e;
                }
                keys.forEach(key -> s3.deleteObject(b -> b.bucket(name).key(key)));
                return null;
            }
        });
    }

    /** Server-side copy; a multipart copy for objects bigger than {@code singleCopyLimit}. */
    ObjectVersion copy(String fromKey, String toKey, long size, long singleCopyLimit, String path) throws IOException {
        if (size > singleCopyLimit) {
            return request(path, () -> copyInParts(fromKey, toKey, size, singleCopyLimit));
        }
        CopyObjectResponse copied = request(path, () -> s3.copyObject(b -> b.sourceBucket(name).sourceKey(fromKey)
                .destinationBucket(name).destinationKey(toKey)));
        return new ObjectVersion(copied.copyObjectResult().eTag(), copied.versionId());
    }

    private ObjectVersion copyInParts(String fromKey, String toKey, long size, long singleCopyLimit) {
        long partSize = Math.max(Math.min(singleCopyLimit, 512L * 1024 * 1024), (size + 9_999) / 10_000);
        String uploadId = s3.createMultipartUpload(b -> b.bucket(name).key(toKey)).uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            int number = 1;
            for (long start = 0; start < size; start += partSize, number++) {
                long end = Math.min(size, start + partSize) - 1;
                int partNumber = number;
                String range = "bytes=" + start + "-" + end;
                String partEtag = s3.uploadPartCopy(b -> b.sourceBucket(name).sourceKey(fromKey)
                        .destinationBucket(name).destinationKey(toKey).uploadId(uploadId).partNumber(partNumber)
                        .copySourceRange(range)).copyPartResult().eTag();
                parts.add(CompletedPart.builder().partNumber(partNumber).eTag(partEtag).build());
            }
            var done = s3.completeMultipartUpload(b -> b.bucket(name).key(toKey).uploadId(uploadId)
                    .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
            return new ObjectVersion(done.eTag(), done.versionId());
        } catch (RuntimeException e) {
            try {
                s3.abortMultipartUpload(b -> b.bucket(name).key(toKey).uploadId(uploadId));
            } catch (RuntimeException ignored) {
                // nothing more to do here: the bucket's lifecycle rule for incomplete uploads collects it
            }
            throw e;
        }
    }

    // ---- multipart uploads --------------------------------------------------------------

    /** Starts a multipart upload to the key; returns its upload id. */
    String startUpload(String key, String path) throws IOException {
        return request(path, () -> s3.createMultipartUpload(b -> b.bucket(name).key(key).contentType(CONTENT_TYPE)).uploadId());
    }

    /** Sends part {@code number} (from 1) of an upload; returns its ETag. */
    String uploadPart(String key, String uploadId, int number, byte[] bytes, int length, String path) throws IOException {
        return request(path, () -> s3.uploadPart(b -> b.bucket(name).key(key).uploadId(uploadId).partNumber(number)
                .contentLength((long) length), body(bytes, length)).eTag());
    }

    /**
     * Makes part {@code number} of an upload to the key from bytes {@code from} to {@code to}
     * (inclusive) of the object now at that key, inside S3, only while it has this ETag.
     */
    String copyPart(String key, String uploadId, int number, long from, long to, String etag, String path) throws IOException {
        return request(path, () -> s3.uploadPartCopy(b -> b.sourceBucket(name).sourceKey(key).copySourceIfMatch(etag)
                .destinationBucket(name).destinationKey(key).uploadId(uploadId).partNumber(number)
                .copySourceRange("bytes=" + from + "-" + to)).copyPartResult().eTag());
    }

    ObjectVersion completeUpload(String key, String uploadId, List<CompletedPart> parts, String path) throws IOException {
        var done = request(path, () -> s3.completeMultipartUpload(b -> b.bucket(name).key(key).uploadId(uploadId)
                .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build())));
        return new ObjectVersion(done.eTag(), done.versionId());
    }

    /** Aborts a multipart upload; a failure is logged (the bucket's lifecycle rule for incomplete uploads is the backstop). */
    void abortQuietly(String key, String uploadId) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(name).key(key).uploadId(uploadId));
        } catch (RuntimeException e) {
            log.warn("Could not abort the multipart upload of s3://{}/{}: {}", name, key, e.toString());
        }
    }

    private static RequestBody body(byte[] bytes, int length) {
        return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(bytes, 0, length), length, CONTENT_TYPE);
    }

    /** Sends a request; the SDK's failure becomes the file system exception the SFTP client is answered with. */
    private static <T> T request(String path, Supplier<T> request) throws IOException {
        try {
            return request.get();
        } catch (SdkException e) {
            throw S3Errors.translate(e, path);
        }
    }
}
