package dev.ferry.audit;

import dev.ferry.shared.Sha256;

/**
 * The hash that chains a record to the one before it: SHA-256 over the previous hash and every
 * field of the record, so changing any field or removing a record breaks the chain after it.
 */
final class AuditChain {

    static final String GENESIS = "0".repeat(64);
    private static final char SEPARATOR = '\u001f';
    private static final String NULL = "\u0000";

    private AuditChain() {
    }

    static String hash(String previous, AuditEvent e) {
        StringBuilder s = new StringBuilder(previous);
        append(s, e.timestamp().toString());
        append(s, e.type().name());
        append(s, e.username());
        append(s, e.remoteAddress());
        append(s, e.sessionId());
        append(s, e.path());
        append(s, e.targetPath());
        append(s, e.bytes() == null ? null : e.bytes().toString());
        append(s, e.durationMs() == null ? null : e.durationMs().toString());
        append(s, e.sha256());
        append(s, e.status());
        append(s, e.detail());
        append(s, e.keyFingerprint());
        append(s, e.clientVersion());
        append(s, e.etag());
        append(s, e.versionId());
        return Sha256.hex(s.toString());
    }

    private static void append(StringBuilder s, String value) {
        s.append(SEPARATOR).append(value == null ? NULL : value);
    }
}
