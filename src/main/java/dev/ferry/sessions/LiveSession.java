package dev.ferry.sessions;

import java.time.OffsetDateTime;

/** An SFTP session as the admin API lists it, on whichever instance it runs. */
public record LiveSession(
        String id,
        String username,
        String remoteAddress,
        OffsetDateTime startedAt,
        long bytesIn,
        long bytesOut,
        String currentTransfer,
        String clientVersion,
        String keyFingerprint,
        String instance) {
}
