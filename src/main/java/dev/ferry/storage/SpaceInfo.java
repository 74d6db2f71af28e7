package dev.ferry.storage;

/** Size and free space of a store, in bytes. */
public record SpaceInfo(long totalBytes, long freeBytes, long availableBytes) {
}
