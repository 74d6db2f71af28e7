package dev.ferry.audit;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * One audit record as written; every field but type, timestamp and status may be null.
 * Times are kept to the microsecond, PostgreSQL's precision, so the chained hash of a record
 * read back equals the one computed when it was written.
 */
public record AuditEvent(
        Instant timestamp,
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

    public static final String OK = "OK";

    public AuditEvent {
        timestamp = (timestamp == null ? Instant.now() : timestamp).truncatedTo(ChronoUnit.MICROS);
        status = status == null ? OK : status;
    }

    /** A new event of a type, to be completed with the {@code with*} methods. */
    public static AuditEvent of(AuditType type) {
        return new AuditEvent(null, type, null, null, null, null, null, null, null, null, OK, null, null, null, null, null);
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

    public AuditEvent withOutcome(String status, String detail) {
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
