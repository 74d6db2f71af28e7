package dev.ferry.sessions;

/** What is known of a session when it authenticates. */
public record SessionOpening(
        long userId,
        String username,
        String remoteAddress,
        String clientVersion,
        String keyFingerprint,
        int maxSessions) {
}
