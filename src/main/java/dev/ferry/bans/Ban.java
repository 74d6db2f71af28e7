package dev.ferry.bans;

import java.time.OffsetDateTime;

/** A source address and its standing: failures in the current window, and the ban if any. */
public record Ban(String address, int failures, int banCount, OffsetDateTime bannedUntil, OffsetDateTime lastFailure) {
}
