package dev.ferry.adminapi;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.ferry.retention.RetentionRuleSpec;
import org.jspecify.annotations.Nullable;

/**
 * Body of POST and PUT /api/v1/retention-rules. Unknown fields are refused; the read-only fields of a
 * GET answer are ignored, so a script can GET a rule, change a field and PUT it back.
 */
@JsonIgnoreProperties({"id", "createdAt", "updatedAt"})
record RetentionRuleRequest(
        @Nullable String name,
        @Nullable String path,
        @Nullable String username,
        @Nullable Integer days,
        @Nullable Boolean enabled) {

    RetentionRuleSpec spec() {
        return new RetentionRuleSpec(name, path, username, days, enabled);
    }
}
