package dev.ferry.audit;

import java.time.OffsetDateTime;

/** A stored audit record as the admin API shows it. */
public record AuditRecord(
        long id,
        OffsetDateTime timestamp,
        AuditType type,
        String username,
        String remoteAddress,
        String sessionId,
        String path,
        String targetPath,
        Long bytes,
        Long durationMs,
        String sha256,
        String status,
        String detail,
        String keyFingerprint,
        String clientVersion,
        String etag,
        String versionId) {
}
