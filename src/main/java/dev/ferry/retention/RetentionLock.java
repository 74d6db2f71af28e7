package dev.ferry.retention;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.stereotype.Component;

/**
 * One retention round at a time in the whole cluster: a PostgreSQL session-level advisory lock
 * ({@code pg_try_advisory_lock}) held on a connection of its own for the length of the round. A
 * replica that does not get it leaves the round to the one that has it. Should that replica die, its
 * connection ends and PostgreSQL releases the lock: no lease to expire, nothing to clean up.
 */
@Component
class RetentionLock {

    /** The advisory lock's key: "ferryRET" in ASCII, so that no other lock of this database is likely to share it. */
    static final long KEY = 0x6665727279524554L;
    private static final Logger log = LoggerFactory.getLogger(RetentionLock.class);

    private final DataSource dataSource;

    RetentionLock(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Runs {@code work} holding the lock; empty, without running it, when another round holds it. */
    <T> Optional<T> tryWith(Supplier<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            if (!call(connection, "select pg_try_advisory_lock(?)")) {
                return Optional.empty();
            }
            try {
                return Optional.of(work.get());
            } finally {
                unlock(connection);
            }
        } catch (SQLException e) {
            throw new CannotGetJdbcConnectionException("retention: could not take the cluster-wide lock", e);
        }
    }

    private static void unlock(Connection connection) throws SQLException {
        try {
            call(connection, "select pg_advisory_unlock(?)");
        } catch (SQLException e) {
            // A pooled connection must not go back still holding the lock: end it, which releases the lock.
            log.warn("Retention: could not release the advisory lock, closing its connection: {}", e.toString());
            connection.abort(Runnable::run);
        }
    }

    private static boolean call(Connection connection, String sql) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setLong(1, KEY);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }
}
