package dev.ferry.retention;

import java.time.OffsetDateTime;

/** A file a retention rule lists (dry run) or deleted (run): whose, where in the home, how big, last modified when. */
public record RetentionFile(String username, String path, long size, OffsetDateTime modifiedAt) {
}
