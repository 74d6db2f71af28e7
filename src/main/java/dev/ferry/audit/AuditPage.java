package dev.ferry.audit;

import java.util.List;

/** One page of audit records, newest first. */
public record AuditPage(List<AuditRecord> content, int page, int size, long totalElements) {
}
