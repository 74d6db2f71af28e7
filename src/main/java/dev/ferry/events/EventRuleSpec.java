package dev.ferry.events;

import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A rule as an admin writes it (POST and PUT of /api/v1/event-rules). Empty or missing
 * {@code usernames}, {@code groups} and {@code paths} match everything.
 *
 * @param name      unique, 1 to 128 of A-Z a-z 0-9 . _ - and not only digits
 * @param enabled   default true
 * @param events    audit types (UPLOAD, DOWNLOAD, DELETE, RENAME, MKDIR, RMDIR, LOGIN, LOGIN_FAILED, DENIED,
 *                  QUOTA_EXCEEDED, ADMIN, ...)
 * @param usernames users whose records match (any case)
 * @param groups    reserved: rules do not match user groups yet, so it must be empty
 * @param paths     globs a record's path or target path must match, e.g. {@code /inbox/**}{@code /*.csv}
 * @param minSize   records of fewer bytes do not match
 * @param actions   what to do with a matching event: one or more of {@code webhook}, {@code kafka}, {@code move}, {@code copy}
 */
public record EventRuleSpec(String name, @Nullable Boolean enabled, List<String> events, @Nullable List<String> usernames,
        @Nullable List<String> groups, @Nullable List<String> paths, @Nullable Long minSize, List<JsonNode> actions) {
}
