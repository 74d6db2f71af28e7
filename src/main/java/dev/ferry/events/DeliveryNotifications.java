package dev.ferry.events;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hears {@code NOTIFY ferry_event_deliveries} (sent by a trigger when deliveries are queued, see
 * V20) on a connection of its own and wakes the worker, so a new delivery is sent within
 * milliseconds of its audit record's commit on every replica, not at the next poll. Notifications
 * are a hint: one lost while the connection was down is made up by the worker's slower poll, and
 * a broken connection is opened again after a pause.
 * <p>
 * Hand-written because neither Spring nor PgJDBC offers a plain listener: PgJDBC has the primitive
 * ({@link PGConnection#getNotifications(int)}), Spring Integration's Postgres channel is tied to
 * its own message table. The connection is not from the pool: it is held for as long as Ferry
 * runs, which a pool would count as a leak and lose for its own work.
 */
final class DeliveryNotifications implements Runnable {

    static final String CHANNEL = "ferry_event_deliveries";
    private static final Logger log = LoggerFactory.getLogger(DeliveryNotifications.class);
    private static final Duration RECONNECT = Duration.ofSeconds(2);
    private static final int WAIT_MILLIS = 1000;

    private final DataSource dataSource;
    private final Runnable wake;
    private volatile boolean running = true;
    private volatile Connection connection;

    /** @param wake called after each batch of notifications (and after each reconnection: some may have been missed) */
    DeliveryNotifications(DataSource dataSource, Runnable wake) {
        this.dataSource = dataSource;
        this.wake = wake;
    }

    @Override
    public void run() {
        boolean warned = false;
        while (running) {
            try (Connection c = open(); Statement listen = c.createStatement()) {
                connection = c;
                listen.execute("listen " + CHANNEL);
                if (warned) {
                    log.info("Listening for event delivery notifications again");
                    warned = false;
                }
                wake.run();
                PGConnection pg = c.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] got = pg.getNotifications(WAIT_MILLIS);
                    if (got != null && got.length > 0) {
                        wake.run();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    return;
                }
                if (!warned) {
                    log.warn("Not listening for event delivery notifications ({}); deliveries are found by polling until it is back",
                            e.toString());
                    warned = true;
                }
                try {
                    Thread.sleep(RECONNECT.toMillis());
                } catch (InterruptedException interrupted) {
                    return;
                }
            } finally {
                connection = null;
            }
        }
    }

    /** A connection of its own, with the pool's URL and credentials where the pool is Hikari. */
    private Connection open() throws SQLException {
        HikariDataSource hikari = dataSource.isWrapperFor(HikariDataSource.class) ? dataSource.unwrap(HikariDataSource.class) : null;
        if (hikari != null && hikari.getJdbcUrl() != null) {
            Properties properties = new Properties();
            properties.putAll(hikari.getDataSourceProperties());
            if (hikari.getUsername() != null) {
                properties.setProperty("user", hikari.getUsername());
            }
            if (hikari.getPassword() != null) {
                properties.setProperty("password", hikari.getPassword());
            }
            return DriverManager.getConnection(hikari.getJdbcUrl(), properties);
        }
        return dataSource.getConnection();
    }

    void stop() {
        running = false;
        Connection c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // closing anyway
            }
        }
    }
}
