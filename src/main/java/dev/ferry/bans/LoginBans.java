package dev.ferry.bans;

import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * Source addresses that fail to log in repeatedly are refused for a growing time. Kept in
 * PostgreSQL, so every instance refuses an address banned by any of them; an attacker's address
 * is banned without affecting users who log in from elsewhere.
 */
@Service
@EnableConfigurationProperties(BanProperties.class)
public class LoginBans {

    private final JdbcTemplate jdbc;
    private final BanProperties properties;

    LoginBans(JdbcTemplate jdbc, BanProperties properties) {
        this.jdbc = jdbc;
        this.properties = properties;
    }

    /** The ban in force for an address, if any. */
    public Optional<Ban> activeBan(String address) {
        return find("where address = ? and banned_until > now()", address).stream().findFirst();
    }

    /**
     * Counts a failed login from an address; bans it when the failures reach the limit.
     *
     * @return the new ban, when this failure caused one
     */
    public Optional<Ban> recordFailure(String address) {
        String window = seconds(properties.window());
        jdbc.update("insert into login_bans (address, failures, window_start, last_failure) values (?, 1, now(), now()) "
                        + "on conflict (address) do update set "
                        + "failures = case when login_bans.window_start < now() - ?::interval then 1 else login_bans.failures + 1 end, "
                        + "window_start = case when login_bans.window_start < now() - ?::interval then now() else login_bans.window_start end, "
                        + "last_failure = now()",
                address, window, window);
        // Ban when the limit is reached: ban time doubles with each ban of the same address, up to the maximum.
        int banned = jdbc.update("update login_bans set banned_until = now() + least(?::interval * power(2, ban_count), ?::interval), "
                        + "ban_count = ban_count + 1, failures = 0, window_start = now() "
                        + "where address = ? and failures >= ? and (banned_until is null or banned_until <= now())",
                seconds(properties.banTime()), seconds(properties.maxBanTime()), address, properties.maxFailures());
        return banned > 0 ? activeBan(address) : Optional.empty();
    }

    /** Addresses banned now or with failures in the current window, most recent first. */
    public List<Ban> list() {
        return find("where banned_until > now() or (failures > 0 and window_start > now() - ?::interval) order by last_failure desc",
                seconds(properties.window()));
    }

    /** Lifts the ban of an address and forgets its failures; false if there was nothing to lift. */
    public boolean lift(String address) {
        return jdbc.update("delete from login_bans where address = ?", address) > 0;
    }

    private List<Ban> find(String where, Object... args) {
        return jdbc.query("select address, failures, ban_count, banned_until, last_failure from login_bans " + where,
                (rs, i) -> new Ban(rs.getString(1), rs.getInt(2), rs.getInt(3),
                        rs.getTimestamp(4) == null ? null : rs.getTimestamp(4).toInstant().atOffset(ZoneOffset.UTC),
                        rs.getTimestamp(5).toInstant().atOffset(ZoneOffset.UTC)),
                args);
    }

    private static String seconds(Duration d) {
        return d.toSeconds() + " seconds";
    }
}
