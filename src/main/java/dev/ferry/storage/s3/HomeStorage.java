package dev.ferry.storage.s3;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;

/**
 * What the names, uploads and downloads of one S3 home work with: the bucket (every S3 request
 * goes through it) and the home's key prefix, the settings, the record of multipart uploads, the
 * times and modes clients set, the threads for S3 requests off the SFTP thread, and the part
 * buffers all uploads of the backend may hold beyond their first one.
 *
 * @param prefix empty, or ends with '/'
 */
record HomeStorage(S3Bucket bucket, String prefix, S3StorageProperties properties, PendingUploads pending,
        KeptAttributes attributes, ExecutorService io, Semaphore uploadMemory) {
}
