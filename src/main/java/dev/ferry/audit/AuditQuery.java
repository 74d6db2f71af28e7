package dev.ferry.audit;

import java.time.Instant;

/** Filters of an audit search; null means any. {@code from} is inclusive, {@code to} exclusive. */
public record AuditQuery(String username, AuditType type, Instant from, Instant to, String path, int page, int size) {
}
