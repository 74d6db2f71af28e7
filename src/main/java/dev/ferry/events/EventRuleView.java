package dev.ferry.events;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A rule as the API shows it: the actions without secrets ({@code "secretSet": true} instead);
 * only the answer to the change that generated a secret carries it, that once. The actions are maps,
 * not Jackson trees, so springdoc can describe the record (it fails on ObjectNode's setters).
 */
public record EventRuleView(long id, String name, boolean enabled, List<String> events, List<String> usernames, List<String> groups,
        List<String> paths, @Nullable Long minSize, List<Map<String, Object>> actions, Instant createdAt, Instant updatedAt) {

    /** For the audit trail: everything but secrets and URLs' paths. */
    String summary(List<String> actionDescriptions) {
        return "enabled=" + enabled + ", events=" + events + ", usernames=" + usernames + ", paths=" + paths + ", minSize=" + minSize
                + ", actions=" + actionDescriptions;
    }
}
