package dev.ferry.adminapi;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Slows down password guessing on the admin API (HTTP Basic and the admin UI's login) without
 * locking out the people who share the guesser's address (a NAT, an office, an ingress):
 * <ul>
 * <li><b>Per address and account</b>: after {@code maxFailures} failed logins for one account from
 * one address, that account's password logins from that address are refused (429) for
 * {@code firstBlock}; each further failure after a refusal doubles it, up to {@code maxBlock}. A
 * script stuck on a wrong password locks out only itself: another admin behind the same address,
 * and the same admin elsewhere, log in as usual.</li>
 * <li><b>Per address, all accounts</b>: a much higher ceiling, so that a spray over many account
 * names from one address is still stopped. Its count is a leaky bucket: it holds at most
 * {@code maxFailuresPerAddress} failures and forgets them evenly over {@code addressWindow}, so the
 * few failures a stuck script still gets through its own refusals never add up to it. Past it, every
 * password login from the address is refused until one more failure fits.</li>
 * </ul>
 * Refused attempts are not checked, so they count for nothing and cost no argon2 hash. A success
 * clears its own account's count, never the address's. API tokens never pass through here: they are
 * 256 random bits checked before any throttle (see {@link BearerTokenFilter}).
 * <p>
 * <b>In memory, per instance</b>: with N replicas an attacker gets at most N times the guesses,
 * which the doubling still makes negligible, and no database write is spent on a failed guess.
 * (SFTP logins, which face the internet, share their bans through PostgreSQL.) IPv6 clients are
 * counted per /64, the block a single subscriber usually holds. Account names are compared
 * case-insensitively, as logins are. Behind a reverse proxy the address is the proxy's unless
 * Tomcat is told to trust its X-Forwarded-For (README, "Admin accounts and API tokens").
 */
@Component
class LoginThrottle {

    private static final Logger log = LoggerFactory.getLogger(LoginThrottle.class);
    /** Longer than any admin account's name: all such names share one count per address. */
    private static final int MAX_ACCOUNT = 64;

    /** Why and for how long a login is refused. */
    record Refusal(Duration retryAfter, boolean wholeAddress) {
    }

    private final AdminApiProperties.LoginThrottle settings;
    private final Clock clock;
    private final ConcurrentHashMap<String, AccountStrikes> accounts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AddressBucket> addresses = new ConcurrentHashMap<>();
    private volatile Instant lastFullWarning = Instant.EPOCH;

    @Autowired
    LoginThrottle(AdminApiProperties properties, Optional<Clock> clock) {
        this(properties.loginThrottle(), clock.orElse(Clock.systemUTC()));
    }

    LoginThrottle(AdminApiProperties.LoginThrottle settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    /** Failures of one account from one address, and its doubling refusals. */
    private static final class AccountStrikes {
        int failures;
        int blocks;
        Instant lastFailure;
        Instant blockedUntil = Instant.EPOCH;
    }

    /** Failures from one address over all accounts: a leaky bucket. */
    private static final class AddressBucket {
        double level;
        Instant updated;
    }

    /** The refusal a password login for this account from this address gets now; empty if it may be checked. */
    Optional<Refusal> refusal(String address, String account) {
        Instant now = clock.instant();
        Duration forAccount = Duration.ZERO;
        AccountStrikes strikes = accounts.get(accountKey(address, account));
        if (strikes != null) {
            synchronized (strikes) {
                forAccount = positive(Duration.between(now, strikes.blockedUntil));
            }
        }
        Duration forAddress = Duration.ZERO;
        AddressBucket bucket = addresses.get(key(address));
        if (bucket != null) {
            synchronized (bucket) {
                forAddress = untilOneMoreFits(bucket, now);
            }
        }
        if (forAccount.isZero() && forAddress.isZero()) {
            return Optional.empty();
        }
        return Optional.of(forAddress.compareTo(forAccount) > 0 ? new Refusal(forAddress, true) : new Refusal(forAccount, false));
    }

    /** Counts a failed login for this account from this address; may start (or lengthen) a refusal. */
    void failed(String address, String account) {
        Instant now = clock.instant();
        String addressKey = key(address);
        AddressBucket bucket = track(addresses, addressKey, AddressBucket::new, now);
        if (bucket != null) {
            synchronized (bucket) {
                drain(bucket, now);
                boolean wasUnder = bucket.level <= settings.maxFailuresPerAddress() - 1;
                bucket.level += 1;
                if (wasUnder && bucket.level > settings.maxFailuresPerAddress() - 1) {
                    log.warn("Admin API: {} failed logins from {} (over all accounts) within {}; refusing its password logins",
                            settings.maxFailuresPerAddress(), addressKey, settings.addressWindow());
                }
            }
        }
        AccountStrikes strikes = track(accounts, accountKey(address, account), AccountStrikes::new, now);
        if (strikes == null) {
            return;
        }
        synchronized (strikes) {
            if (forgotten(strikes, now)) {
                strikes.failures = 0;
                strikes.blocks = 0;
            }
            strikes.failures++;
            strikes.lastFailure = now;
            // Before the first refusal an account gets maxFailures tries; after it, every failure is refused again, longer.
            if (strikes.failures >= settings.maxFailures() || strikes.blocks > 0) {
                Duration block = blockLength(strikes.blocks);
                strikes.blocks++;
                strikes.failures = 0;
                strikes.blockedUntil = now.plus(block);
                log.warn("Admin API: {} for account '{}' from {}; refusing its logins from there for {} s", strikes.blocks == 1
                        ? settings.maxFailures() + " failed logins" : "another failed login after a refusal",
                        printable(account), addressKey, block.toSeconds());
            }
        }
    }

    /** A correct password: this account's failures from this address are forgotten (the address's are not). */
    void succeeded(String address, String account) {
        accounts.remove(accountKey(address, account));
    }

    /** The entry for a key, created if there is room; null (and a warning now and then) when the table is full. */
    private <T> T track(ConcurrentHashMap<String, T> table, String key, java.util.function.Supplier<T> create, Instant now) {
        T existing = table.get(key);
        if (existing != null) {
            return existing;
        }
        if (table.size() >= settings.maxTracked()) {
            prune();
            if (table.size() >= settings.maxTracked()) {
                if (lastFullWarning.plusSeconds(60).isBefore(now)) {
                    lastFullWarning = now;
                    log.warn("Admin API login throttling tracks {} entries already; failures of new ones are not counted",
                            table.size());
                }
                return null;
            }
        }
        return table.computeIfAbsent(key, k -> create.get());
    }

    private Duration blockLength(int previousBlocks) {
        Duration block = settings.firstBlock();
        for (int i = 0; i < previousBlocks && block.compareTo(settings.maxBlock()) < 0; i++) {
            block = block.multipliedBy(2);
        }
        return block.compareTo(settings.maxBlock()) > 0 ? settings.maxBlock() : block;
    }

    private boolean forgotten(AccountStrikes strikes, Instant now) {
        Instant quietSince = strikes.lastFailure == null || strikes.blockedUntil.isAfter(strikes.lastFailure)
                ? strikes.blockedUntil : strikes.lastFailure;
        return quietSince.plus(settings.forgetAfter()).isBefore(now);
    }

    /** Failures the bucket forgets per second: all of them over the window. */
    private double leakPerSecond() {
        return settings.maxFailuresPerAddress() / (settings.addressWindow().toMillis() / 1000.0);
    }

    private void drain(AddressBucket bucket, Instant now) {
        if (bucket.updated != null) {
            double seconds = Math.max(0, Duration.between(bucket.updated, now).toMillis() / 1000.0);
            bucket.level = Math.max(0, bucket.level - seconds * leakPerSecond());
        }
        bucket.updated = now;
    }

    /** Zero while one more failure stays under the ceiling; otherwise how long until it does. */
    private Duration untilOneMoreFits(AddressBucket bucket, Instant now) {
        drain(bucket, now);
        double excess = bucket.level - (settings.maxFailuresPerAddress() - 1);
        return excess <= 0 ? Duration.ZERO : Duration.ofMillis((long) Math.ceil(excess / leakPerSecond() * 1000));
    }

    /** Drops entries quiet long enough to start afresh anyway. */
    @Scheduled(fixedDelay = 60_000, initialDelay = 60_000)
    void prune() {
        Instant now = clock.instant();
        accounts.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                return forgotten(e.getValue(), now);
            }
        });
        addresses.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                drain(e.getValue(), now);
                return e.getValue().level == 0;
            }
        });
    }

    /** Entries tracked: address-and-account pairs, addresses. */
    Map<String, Integer> tracked() {
        return Map.of("accounts", accounts.size(), "addresses", addresses.size());
    }

    private static Duration positive(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }

    /** Names are matched case-insensitively by the login; a name longer than any account's cannot be one. */
    static String accountKey(String address, String account) {
        String name = account == null ? "" : account.strip().toLowerCase(Locale.ROOT);
        return key(address) + " " + (name.length() > MAX_ACCOUNT ? "(too long for an account name)" : name);
    }

    private static String printable(String account) {
        String name = String.valueOf(account);
        name = name.length() > MAX_ACCOUNT ? name.substring(0, MAX_ACCOUNT) + "..." : name;
        return name.replaceAll("[^\\x20-\\x7e]", "?");
    }

    /** The address itself for IPv4; the /64 prefix for IPv6. Never resolves a name. */
    static String key(String address) {
        if (address == null || address.indexOf(':') < 0) {
            return String.valueOf(address);
        }
        try {
            byte[] bytes = InetAddress.getByName(address.startsWith("[") ? address.substring(1, address.length() - 1) : address)
                    .getAddress();
            if (bytes.length == 16) {
                byte[] prefix = Arrays.copyOf(bytes, 16);
                Arrays.fill(prefix, 8, 16, (byte) 0);
                return InetAddress.getByAddress(prefix).getHostAddress() + "/64";
            }
            return InetAddress.getByAddress(bytes).getHostAddress();
        } catch (UnknownHostException | IllegalArgumentException e) {
            return address;
        }
    }
}
