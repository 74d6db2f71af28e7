package dev.ferry.retention;

import org.jspecify.annotations.Nullable;

/**
 * A retention rule as an admin writes it (POST, PUT): everything but {@code name}, {@code path}
 * and {@code days} may be left out ({@code username}: every user; {@code enabled}: true).
 */
public record RetentionRuleSpec(
        @Nullable String name,
        @Nullable String path,
        @Nullable String username,
        @Nullable Integer days,
        @Nullable Boolean enabled) {
}
