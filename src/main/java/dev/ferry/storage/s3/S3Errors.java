package dev.ferry.storage.s3;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Turns S3 failures into file system exceptions whose reason a person can act on. Reasons never
 * contain '/', so the SFTP layer passes them on to the client (and no endpoint URL leaks).
 * Transient failures have been retried by the SDK before they get here.
 */
final class S3Errors {

    private static final Logger log = LoggerFactory.getLogger(S3Errors.class);

    private S3Errors() {
    }

    /** The object is no longer the version a transfer started with (a GET pinned to an ETag got 412). */
    static final class ObjectChangedException extends FileSystemException {
        ObjectChangedException(String path) {
            super(path, null, "the file changed on the storage while it was being read");
        }
    }

    static IOException translate(SdkException e, String path) {
        if (e instanceof AbortedException || Thread.currentThread().isInterrupted()) {
            InterruptedIOException interrupted = new InterruptedIOException("storage request interrupted");
            interrupted.initCause(e);
            return interrupted;
        }
        if (e instanceof S3Exception s3) {
            String code = s3.awsErrorDetails() == null ? null : s3.awsErrorDetails().errorCode();
            int status = s3.statusCode();
            if ("NoSuchKey".equals(code) || (status == 404 && code == null)) {
                return new NoSuchFileException(path);
            }
            log.warn("S3 answered {} {} for {}: {}", status, code, path, s3.getMessage());
            if ("NoSuchBucket".equals(code)) {
                return new FileSystemException(path, null, "the storage bucket does not exist (S3 NoSuchBucket)");
            }
            if (status == 403) {
                return new AccessDeniedException(path, null, "the storage refused access (S3 " + code + ")");
            }
            if (status == 503 || "SlowDown".equals(code)) {
                return new FileSystemException(path, null, "the storage is throttling requests (S3 " + code + "), try again later");
            }
            if (status == 412) {
                return new ObjectChangedException(path);
            }
            return new FileSystemException(path, null, "the storage failed (S3 " + (code == null ? status : code) + ")");
        }
        log.warn("S3 request for {} failed: {}", path, e.toString());
        if (e instanceof SdkClientException) {
            return new FileSystemException(path, null, "the storage cannot be reached, try again later");
        }
        return new FileSystemException(path, null, "the storage failed");
    }
}
