package dev.ferry.adminapi;

import dev.ferry.users.UserView;
import java.util.List;

/** Human-readable before/after of a user for ADMIN audit records; never passwords or hashes. */
final class AdminChanges {

    private AdminChanges() {
    }

    private static final AuditedFields<UserView> FIELDS = AuditedFields.<UserView>builder()
            .field("enabled", UserView::enabled)
            .field("expiresAt", UserView::expiresAt)
            .field("storage", UserView::storage)
            .field("quota", UserView::quota)
            .field("permissions", UserView::permissions)
            .field("allowedIps", UserView::allowedIps)
            .field("maxSessions", UserView::maxSessions)
            .field("maxFileSize", UserView::maxFileSize)
            .field("bandwidth", UserView::bandwidth)
            .field("loginPolicy", UserView::loginPolicy)
            .field("groups", UserView::groups)
            .field("publicKeys", v -> v.publicKeys().size() + " keys")
            .build();

    static String describe(UserView user) {
        List<String> parts = FIELDS.describe(user);
        parts.add("password=" + (user.hasPassword() ? "set" : "none"));
        return String.join(", ", parts);
    }

    static String diff(UserView before, UserView after) {
        List<String> changes = FIELDS.changes(before, after);
        if (f(before).equals(f(after)) && !before.publicKeys().equals(after.publicKeys())) {
            changes.add("publicKeys replaced");
        }
        return AuditedFields.joined(changes);
    }

    private static String f(UserView v) {
        return v.publicKeys().size() + " keys";
    }
}
