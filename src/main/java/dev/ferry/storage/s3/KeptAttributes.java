package dev.ferry.storage.s3;

import java.nio.file.FileSystemException;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;

/**
 * The modification times and modes clients set on the files of one bucket ({@link ObjectAttributes}),
 * as the file operations of a home use them. Bookkeeping that follows a change S3 already made (an
 * upload published, a file removed or renamed) never fails that change when PostgreSQL does: the
 * failure is logged, and the file shows S3's time and the default mode until a client sets them
 * again. Only a client's own chmod or touch fails when its value cannot be stored.
 */
final class KeptAttributes {

    private static final Logger log = LoggerFactory.getLogger(KeptAttributes.class);

    private final ObjectAttributes store;
    private final String bucket;

    KeptAttributes(ObjectAttributes store, String bucket) {
        this.store = store;
        this.bucket = bucket;
    }

    /** The file's attributes with the modification time and mode a client set on it, if one did. */
    S3Attributes shownFor(String key, S3Attributes file) {
        return store.find(bucket, key, file.etag()).map(file::with).orElse(file);
    }

    /** What was set on the files of one listing page (key to ETag), in one query. */
    Map<String, ObjectAttributes.Values> forPage(Map<String, String> etagsByKey) {
        return store.find(bucket, etagsByKey);
    }

    /** A client sets a time or mode on an existing file (SETSTAT): refused when it cannot be kept. */
    void set(String key, String etag, ObjectAttributes.Values set, String path) throws FileSystemException {
        try {
            store.set(bucket, key, etag, set);
        } catch (DataAccessException e) {
            log.warn("Could not store the modification time or mode of s3://{}/{}: {}", bucket, key, e.toString());
            throw new FileSystemException(path, null, "the modification time or mode could not be stored, try again later");
        }
    }

    /** What a client set on an existing object it did not replace (a handle opened and closed without a write). */
    void setOnObject(String key, String etag, ObjectAttributes.Values set) {
        try {
            store.set(bucket, key, etag, set);
        } catch (DataAccessException e) {
            log.warn("Could not store the modification time and mode set on s3://{}/{}: {}", bucket, key, e.toString());
        }
    }

    /**
     * This server stored an object at the key: it shows the time and mode the client set while
     * uploading (or that an append kept), never those set on the object it replaced (which may
     * have had the same ETag).
     */
    void stored(String key, String etag, ObjectAttributes.Values set) {
        try {
            store.stored(bucket, key, etag, set);
        } catch (DataAccessException e) {
            // the object is stored and confirmed; only the time and mode set on it are lost
            log.warn("Could not store the modification time and mode set on s3://{}/{}: {}", bucket, key, e.toString());
        }
    }

    /** The object with this ETag was removed from the key, or replaced, by this server: what was set on it goes. */
    void removed(String key, String etag) {
        try {
            store.forget(bucket, key, etag);
        } catch (DataAccessException e) {
            // harmless for what clients see: the row is tied to that object's ETag
            log.warn("Could not drop the modification time and mode stored for s3://{}/{}: {}", bucket, key, e.toString());
        }
    }

    /** Renamed files keep their times and modes. */
    void moved(List<ObjectAttributes.Move> moves) {
        try {
            store.moved(bucket, moves);
        } catch (DataAccessException e) {
            // the files are renamed; they show the time of their copies and the default mode until a client sets them again
            log.warn("Could not move the modification times and modes of {} renamed files in s3://{}: {}", moves.size(), bucket,
                    e.toString());
        }
    }

    /** Everything under a key prefix is gone (a purged home). */
    void removedAllUnder(String keyPrefix) {
        try {
            store.forgetAllUnder(bucket, keyPrefix);
        } catch (DataAccessException e) {
            // the files are gone; the rows only cost space, and a new home at the prefix writes its own
            log.warn("Could not drop the modification times and modes stored under s3://{}/{}: {}", bucket, keyPrefix, e.toString());
        }
    }
}
