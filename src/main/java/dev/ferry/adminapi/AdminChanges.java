package dev.ferry.adminapi;

import dev.ferry.users.UserView;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/** Human-readable before/after of a user for ADMIN audit records; never passwords or hashes. */
final class AdminChanges {

    private AdminChanges() {
    }

    private record Field(String name, Function<UserView, Object> value) {
    }

    private static final List<Field> FIELDS = List.of(
            new Field("enabled", UserView::enabled),
            new Field("expiresAt", UserView::expiresAt),
            new Field("storage", UserView::storage),
            new Field("quota", UserView::quota),
            new Field("permissions", UserView::permissions),
            new Field("allowedIps", UserView::allowedIps),
            new Field("maxSessions", UserView::maxSessions),
            new Field("maxFileSize", UserView::maxFileSize),
            new Field("bandwidth", UserView::bandwidth),
            new Field("loginPolicy", UserView::loginPolicy),
            new Field("groups", UserView::groups),
            new Field("publicKeys", v -> v.publicKeys().size() + " keys"));

    static String describe(UserView user) {
        List<String> parts = new ArrayList<>();
        for (Field f : FIELDS) {
            parts.add(f.name() + "=" + f.value().apply(user));
        }
        parts.add("password=" + (user.hasPassword() ? "set" : "none"));
        return String.join(", ", parts);
    }

    static String diff(UserView before, UserView after) {
        List<String> changes = new ArrayList<>();
        for (Field f : FIELDS) {
            Object a = f.value().apply(before);
            Object b = f.value().apply(after);
            if (!Objects.equals(a, b)) {
                changes.add(f.name() + ": " + a + " -> " + b);
            }
        }
        if (f(before).equals(f(after)) && !before.publicKeys().equals(after.publicKeys())) {
            changes.add("publicKeys replaced");
        }
        return changes.isEmpty() ? "no change" : String.join("; ", changes);
    }

    private static String f(UserView v) {
        return v.publicKeys().size() + " keys";
    }
}
