package dev.ferry.users;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Everything about a user that an admin sets, except the password and keys (which have
 * keep/replace/remove semantics of their own). Null means the default, except {@code loginPolicy}
 * ({@link LoginPolicy}), which a replace keeps when null.
 */
public record UserSpec(
        String username,
        Boolean enabled,
        OffsetDateTime expiresAt,
        Storage storage,
        Quota quota,
        Map<String, List<String>> permissions,
        List<String> allowedIps,
        Integer maxSessions,
        Long maxFileSize,
        Bandwidth bandwidth,
        @Nullable String loginPolicy) {

    /** Bytes per second for each direction; 0 or null means unlimited. */
    public record Bandwidth(Long uploadBytesPerSecond, Long downloadBytesPerSecond) {
    }

    /** {@code type} is a {@link dev.ferry.storage.StorageType} name, {@code local} or {@code s3}; bucket and prefix only for s3. */
    public record Storage(String type, @Nullable String bucket, @Nullable String prefix) {
    }

    /** 0 or null means unlimited. */
    public record Quota(Long maxBytes, Long maxFiles) {
    }
}
