package dev.ferry.adminapi;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Body of POST /api/v1/users/bulk: one action for many users.
 *
 * @param action    {@code enable}, {@code disable} or {@code delete}
 * @param purge     with {@code delete}: remove the homes too (default false: files kept)
 */
record BulkUsersRequest(@Nullable String action, @Nullable List<String> usernames, @Nullable Boolean purge) {
}
