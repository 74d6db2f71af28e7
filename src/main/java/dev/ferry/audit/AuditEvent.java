package dev.ferry.audit;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * One audit record as written, and the one definition of its fields: the hash chain, the
 * journal's encoding, the row in {@code audit_events}, the search, the CSV export and the admin
 * API all follow this component list (through {@link AuditFields}), in this order. A new field is
 * one more component here (with {@link Stored#since} the next version, nullable) and its column in
 * a migration; {@code AuditFieldsTest} and {@code AuditTrailContract} fail when anything disagrees.
 * <p>
 * Every field but type, timestamp and status may be null. Times are kept to the microsecond,
 * PostgreSQL's precision, so the chained hash of a record read back equals the one computed when
 * it was written.
 */
public record AuditEvent(
        @Stored(column = "ts") Instant timestamp,
        AuditType type,
        @Stored(size = 64) String username,
        @Stored(size = 64) String remoteAddress,
        @Stored(size = 32) String sessionId,
        @Stored(size = 4096) String path,
        @Stored(size = 4096) String targetPath,
        Long bytes,
        Long durationMs,
        @Stored(size = 64) String sha256,
        AuditStatus status,
        @Stored(size = 4096) String detail,
        @Stored(size = 64) String keyFingerprint,
        @Stored(size = 255) String clientVersion,
        @Stored(size = 255) String etag,
        @Stored(size = 1024) String versionId) {

    public AuditEvent {
        timestamp = (timestamp == null ? Instant.now() : timestamp).truncatedTo(ChronoUnit.MICROS);
        status = status == null ? AuditStatus.OK : status;
    }

    /** A new event of a type, to be completed with the {@code with*} methods. */
    public static AuditEvent of(AuditType type) {
        return new AuditEvent(null, type, null, null, null, null, null, null, null, null, AuditStatus.OK, null, null, null, null,
                null);
    }

    public AuditEvent withUser(String username, String remoteAddress, String sessionId) {
        return new AuditEvent(timestamp, type, username, remoteAddress, sessionId, path, targetPath, bytes, durationMs, sha256,
                status, detail, keyFingerprint, clientVersion, etag, versionId);
    }

    public AuditEvent withPaths(String path, String targetPath) {
        return new AuditEvent(timestamp, type, username, remoteAddress, sessionId, path, targetPath, bytes, durationMs, sha256,
                status, detail, keyFingerprint, clientVersion, etag, versionId);
    }

    public AuditEvent withTransfer(Long bytes, Long durationMs, String sha256) {
        return new AuditEvent(timestamp, type, username, remoteAddress, sessionId, path, targetPath, bytes, durationMs, sha256,
                status, detail, keyFingerprint, clientVersion, etag, versionId);
    }

    public AuditEvent withOutcome(AuditStatus status, String detail) {
        return new AuditEvent(timestamp, type, username, remoteAddress, sessionId, path, targetPath, bytes, durationMs, sha256,
                status, detail, keyFingerprint, clientVersion, etag, versionId);
    }

    public AuditEvent withClient(String keyFingerprint, String clientVersion) {
        return new AuditEvent(timestamp, type, username, remoteAddress, sessionId, path, targetPath, bytes, durationMs, sha256,
                status, detail, keyFingerprint, clientVersion, etag, versionId);
    }

    public AuditEvent withObject(String etag, String versionId) {
        return new AuditEvent(timestamp, type, username, remoteAddress, sessionId, path, targetPath, bytes, durationMs, sha256,
                status, detail, keyFingerprint, clientVersion, etag, versionId);
    }
}
