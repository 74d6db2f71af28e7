package dev.ferry.audit;

import java.sql.SQLException;

/**
 * Tells a record PostgreSQL will never take from a failure that may pass. Refusals are the
 * SQLState classes of the data itself: 22 (data exception: a NUL in text, a value out of range),
 * 23 (integrity constraint violation) and 54 (program limit exceeded: an index row too big).
 * Everything else (a lost connection, a database that is starting or full, a timeout, a
 * serialization failure) is retried, never set aside.
 */
final class DatabaseRefusal {

    private DatabaseRefusal() {
    }

    /** {@code "SQLState: message"} of the refusal behind {@code failure}, or null when it may pass. */
    static String of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql) {
                for (SQLException e = sql; e != null; e = e.getNextException()) {
                    String state = e.getSQLState();
                    if (state != null && (state.startsWith("22") || state.startsWith("23") || state.startsWith("54"))) {
                        return state + ": " + e.getMessage();
                    }
                }
            }
        }
        return null;
    }
}
