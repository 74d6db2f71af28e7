package dev.ferry.sessions;

import java.time.OffsetDateTime;
import org.jspecify.annotations.Nullable;

/** An SFTP session as the admin API lists it, on whichever instance it runs. */
public record LiveSession(
        String id,
        String username,
        String remoteAddress,
        OffsetDateTime startedAt,
        long bytesIn,
        long bytesOut,
        @Nullable String currentTransfer,
        @Nullable String clientVersion,
        @Nullable String keyFingerprint,
        String instance) {
}
