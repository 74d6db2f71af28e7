package dev.ferry.identity;

import dev.ferry.users.UserSpec;
import org.jspecify.annotations.Nullable;

/**
 * An identity source's answer about one login: {@code profile} (whose username is the source's
 * spelling of the name) when allowed; {@code reason} for the log and the audit otherwise.
 */
public record Decision(Outcome outcome, @Nullable UserSpec profile, String reason) {

    public enum Outcome {
        /** The source has no such user: ask the next one. */
        UNKNOWN,
        ALLOWED,
        /** A wrong password or a key that is not the user's: a failed login. */
        DENIED,
        /** The account may not log in whatever the credential (disabled, in no mapped group): audited with its reason. */
        REFUSED,
        /** The source could not answer (down, timeout, bad answer): refused, never decided from stale data. */
        UNAVAILABLE
    }

    public static Decision unknown() {
        return new Decision(Outcome.UNKNOWN, null, "unknown user");
    }

    public static Decision allowed(UserSpec profile) {
        return new Decision(Outcome.ALLOWED, profile, "allowed");
    }

    public static Decision denied(String reason) {
        return new Decision(Outcome.DENIED, null, reason);
    }

    public static Decision refused(String reason) {
        return new Decision(Outcome.REFUSED, null, reason);
    }

    public static Decision unavailable(String reason) {
        return new Decision(Outcome.UNAVAILABLE, null, reason);
    }
}
