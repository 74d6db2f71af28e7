package dev.ferry.sessions;

/** Counters of a local session, written by the heartbeat. */
public record SessionProgress(String id, long bytesIn, long bytesOut, String currentTransfer) {
}
