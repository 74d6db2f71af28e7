package dev.ferry.quotas;

/** What a user's regular files take: bytes and count. */
public record Usage(long usedBytes, long usedFiles) {
}
