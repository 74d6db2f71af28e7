package dev.ferry.retention;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * What one rule found (a dry run) or deleted (a run). {@code files} holds at most the asked number,
 * home by home in the order the walk met them; {@code totalFiles} and {@code totalBytes} count them all.
 *
 * @param olderThan the cut-off: files last modified before it qualify
 * @param skipped   (runs) files that qualified when the walk saw them but were changed (a newer
 *                  modification time) or removed before their turn: left alone
 * @param failures  what could not be looked at or deleted, one line each ({@code acme: /outbox/a.csv: access denied});
 *                  at most 100; the server log has the details and all of them
 */
public record RetentionReport(
        long ruleId,
        String rule,
        boolean dryRun,
        OffsetDateTime olderThan,
        long totalFiles,
        long totalBytes,
        List<RetentionFile> files,
        boolean truncated,
        long skipped,
        List<String> failures) {
}
