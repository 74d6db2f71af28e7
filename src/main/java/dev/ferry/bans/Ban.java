package dev.ferry.bans;

import java.time.OffsetDateTime;

/**
 * A source address, or one username at it, and its standing: failures in the current window, and
 * the ban if any.
 *
 * @param username null for the whole address; otherwise the name (lower case) blocked or failing at
 *                 it, {@code (invalid)} for names no account can have
 * @param score    the address's weighted score (whole-address rows only; null for a username)
 */
public record Ban(String address, String username, int failures, Integer score, int banCount, OffsetDateTime bannedUntil,
        OffsetDateTime lastFailure) {
}
