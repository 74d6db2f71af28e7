package dev.ferry.identity;

import dev.ferry.identity.Decision.Outcome;
import org.jspecify.annotations.Nullable;

/** Which source answered a login ({@code null} when none knows the name) and what it decided. */
public record ExternalLogin(@Nullable String source, Decision decision) {

    static final ExternalLogin NOBODY = new ExternalLogin(null, Decision.unknown());

    public Outcome outcome() {
        return decision.outcome();
    }

    public boolean allowed() {
        return decision.outcome() == Outcome.ALLOWED;
    }

    /** "ldap: wrong password": what the log and the audit say. */
    public String describe() {
        return (source == null ? "" : source + ": ") + decision.reason();
    }
}
