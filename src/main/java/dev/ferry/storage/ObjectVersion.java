package dev.ferry.storage;

/**
 * Which version of a stored object a transfer wrote or read, where the storage names versions
 * (S3): its ETag and, in a versioned bucket, its version id (else null).
 */
public record ObjectVersion(String etag, String versionId) {
}
