package dev.ferry.bans;

import dev.ferry.access.IpAllowList;
import dev.ferry.shared.AccountNames;
import java.net.InetAddress;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;

/**
 * Failed logins are scored per (address, username) and per address, as SFTPGo's defender scores
 * hosts, so a shared NAT address is not one account:
 * <ul>
 * <li>{@code max-failures} failed logins as one name from one address block that name there: a
 * partner's broken batch job locks out its own account at the partner's address, and its
 * colleagues behind the same address log in. Names no account has are blocked after the same
 * number, so a block tells nothing about whether a name exists.</li>
 * <li>Every failure also adds to the address's score, names no account has weighing
 * {@code unknown-user-score}; at {@code max-address-score} the whole address is banned, so trying
 * many names (or one name after another) from an address still stops. Attempts already refused by
 * a block or ban do not count, so one broken job adds at most {@code max-failures} per block.</li>
 * <li>Addresses on {@code safe-list} are never blocked or banned.</li>
 * </ul>
 * Each ban of the same address or name doubles up to {@code max-ban-time}. Kept in PostgreSQL, so
 * every instance refuses what any of them banned; rows quiet for longer than the longest ban are
 * forgotten.
 */
@Service
@EnableConfigurationProperties(BanProperties.class)
public class LoginBans {

    /** The username key of the row that stands for the whole address. */
    private static final String WHOLE_ADDRESS = "";
    /** The username key of names no account can have (too long, odd characters): alike, and all unknown. */
    static final String INVALID_NAME = "(invalid)";
    private static final String COLUMNS = "select address, username, failures, score, ban_count, banned_until, last_failure from login_bans ";

    private final JdbcTemplate jdbc;
    private final BanProperties properties;
    private final IpAllowList safeList;

    LoginBans(JdbcTemplate jdbc, BanProperties properties) {
        this.jdbc = jdbc;
        this.properties = properties;
        try {
            this.safeList = IpAllowList.of(properties.safeList());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("sftp.defender.safe-list: " + e.getMessage() + " in " + properties.safeList(), e);
        }
    }

    /** Whether the address is on the safe-list: never blocked or banned. */
    public boolean isSafe(InetAddress address) {
        return !safeList.isEmpty() && safeList.allows(address);
    }

    /**
     * The ban in force for this address, or else the block of this username at it, if any.
     */
    public Optional<Ban> activeBan(InetAddress address, String username) {
        if (isSafe(address)) {
            return Optional.empty();
        }
        // '' sorts first: the ban of the whole address is the one to report.
        return find("where address = ? and username in ('', ?) and banned_until > now() order by username",
                address.getHostAddress(), accountKey(username)).stream().findFirst();
    }

    /**
     * Counts a failed login as {@code username} from {@code address}; blocks the username there, or
     * bans the whole address, when this failure reaches a limit.
     *
     * @param knownUser whether an account of that name exists: an unknown name weighs more on the address
     * @return the new ban, when this failure caused one (the whole address's if both)
     */
    public Optional<Ban> recordFailure(InetAddress address, String username, boolean knownUser) {
        if (isSafe(address)) {
            return Optional.empty();
        }
        String host = address.getHostAddress();
        String window = seconds(properties.window());
        String expired = "login_bans.window_start < now() - ?::interval";
        // Both statements take the rows' locks in the same order, the address's row first, so concurrent
        // failures from one address (on any instance) wait for each other instead of deadlocking.
        jdbc.update("insert into login_bans (address, username, failures, score, window_start, last_failure) "
                        + "values (?, '', 1, ?, now(), now()), (?, ?, 1, 0, now(), now()) "
                        + "on conflict (address, username) do update set "
                        + "failures = case when " + expired + " then 1 else login_bans.failures + 1 end, "
                        + "score = case when " + expired + " then excluded.score else login_bans.score + excluded.score end, "
                        + "window_start = case when " + expired + " then now() else login_bans.window_start end, "
                        + "last_failure = now()",
                host, knownUser ? 1 : properties.unknownUserScore(), host, accountKey(username), window, window, window);
        // Ban what reached its limit: the time doubles with each ban of the same row, up to the maximum.
        List<Ban> banned = jdbc.query("with due as (select address, username from login_bans "
                        + "where address = ? and ((username = ? and failures >= ?) or (username = '' and score >= ?)) "
                        + "and (banned_until is null or banned_until <= now()) order by username for update) "
                        + "update login_bans b set banned_until = now() + least(?::interval * power(2, b.ban_count), ?::interval), "
                        + "ban_count = b.ban_count + 1, failures = 0, score = 0, window_start = now() "
                        + "from due where b.address = due.address and b.username = due.username "
                        + "returning b.address, b.username, b.failures, b.score, b.ban_count, b.banned_until, b.last_failure",
                LoginBans::ban, host, accountKey(username), properties.maxFailures(), properties.maxAddressScore(),
                seconds(properties.banTime()), seconds(properties.maxBanTime()));
        return banned.stream().min(Comparator.comparing(b -> b.username() == null ? "" : b.username()));
    }

    /**
     * Addresses and usernames at them banned now or with failures in the current window, most
     * recent first, at most 1,000.
     */
    public List<Ban> list() {
        return find("where banned_until > now() or (failures > 0 and window_start > now() - ?::interval) "
                + "order by last_failure desc, username limit 1000", seconds(properties.window()));
    }

    /** Lifts every ban and block of an address and forgets its failures; false if there was nothing. */
    public boolean lift(String address) {
        return jdbc.update("delete from login_bans where address = ?", address) > 0;
    }

    /** Lifts the block of one username at an address and forgets its failures there; false if there was nothing. */
    public boolean lift(String address, String username) {
        return jdbc.update("delete from login_bans where address = ? and username = ?", address, accountKey(username)) > 0;
    }

    /**
     * Forgets rows quiet for longer than the window and the longest ban after their ban ended: the
     * table does not grow with every name ever tried, and a ban's doubling is remembered as long as
     * a ban can last.
     */
    @Scheduled(fixedDelay = 3_600_000, initialDelay = 600_000)
    void forgetQuiet() {
        Duration keep = properties.window().compareTo(properties.maxBanTime()) > 0 ? properties.window() : properties.maxBanTime();
        jdbc.update("delete from login_bans where greatest(banned_until, last_failure) < now() - ?::interval",
                seconds(keep));
    }

    /** The row key of a username: account names are case-insensitive; names no account can have are one key. */
    static String accountKey(String username) {
        return AccountNames.isValid(username) ? username.toLowerCase(Locale.ROOT) : INVALID_NAME;
    }

    private List<Ban> find(String where, Object... args) {
        return jdbc.query(COLUMNS + where, LoginBans::ban, args);
    }

    private static Ban ban(ResultSet rs, int row) throws SQLException {
        boolean wholeAddress = rs.getString(2).equals(WHOLE_ADDRESS);
        return new Ban(rs.getString(1), wholeAddress ? null : rs.getString(2), rs.getInt(3), wholeAddress ? rs.getInt(4) : null,
                rs.getInt(5), rs.getTimestamp(6) == null ? null : rs.getTimestamp(6).toInstant().atOffset(ZoneOffset.UTC),
                rs.getTimestamp(7).toInstant().atOffset(ZoneOffset.UTC));
    }

    private static String seconds(Duration d) {
        return d.toSeconds() + " seconds";
    }
}
