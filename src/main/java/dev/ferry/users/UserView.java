package dev.ferry.users;

import dev.ferry.groups.EffectiveSettings;
import dev.ferry.quotas.Usage;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A user as the admin API shows it; never carries the password or its hash. The settings are the
 * user's own; {@code effective} says which are in force with the user's {@code groups}, and where
 * each comes from.
 */
public record UserView(
        String username,
        boolean hasPassword,
        List<String> publicKeys,
        boolean enabled,
        @Nullable OffsetDateTime expiresAt,
        UserSpec.Storage storage,
        UserSpec.Quota quota,
        Map<String, List<String>> permissions,
        List<String> allowedIps,
        int maxSessions,
        long maxFileSize,
        UserSpec.Bandwidth bandwidth,
        Usage usage,
        OffsetDateTime createdAt,
        OffsetDateTime updatedAt,
        String source,
        String loginPolicy,
        boolean totpEnrolled,
        List<String> groups,
        EffectiveSettings effective) {
}
