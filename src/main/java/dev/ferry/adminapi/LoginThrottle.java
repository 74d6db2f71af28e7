package dev.ferry.adminapi;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Slows down password and token guessing on the admin API: after {@code maxFailures} failed
 * logins from one address, every request carrying credentials from it is refused (429) for
 * {@code firstBlock}; each further failure after a refusal doubles it, up to {@code maxBlock}.
 * Other addresses are not affected, so an admin elsewhere keeps working during an attack. A
 * success does not reset the count: a low-privilege account must not let its holder guess
 * another account's password without limit.
 * <p>
 * <b>In memory, per instance</b>: with N replicas behind a load balancer an attacker gets at most N
 * times the guesses, which the doubling still makes negligible, and no database write is spent
 * on a failed guess. (SFTP logins, which face the internet, share their bans through PostgreSQL.)
 * IPv6 clients are counted per /64, the block a single subscriber usually holds. Behind a
 * reverse proxy, set {@code server.forward-headers-strategy=native} so that the address counted
 * is the client's, not the proxy's.
 */
@Component
class LoginThrottle {

    private static final Logger log = LoggerFactory.getLogger(LoginThrottle.class);

    private final AdminApiProperties.LoginThrottle settings;
    private final Clock clock;
    private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();
    private volatile Instant lastFullWarning = Instant.EPOCH;

    @Autowired
    LoginThrottle(AdminApiProperties properties, Optional<Clock> clock) {
        this(properties.loginThrottle(), clock.orElse(Clock.systemUTC()));
    }

    LoginThrottle(AdminApiProperties.LoginThrottle settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    private static final class State {
        int failures;
        int blocks;
        Instant lastFailure;
        Instant blockedUntil = Instant.EPOCH;
    }

    /** How long requests with credentials from this address are still refused; zero if they are not. */
    Duration blockedFor(String address) {
        State state = states.get(key(address));
        if (state == null) {
            return Duration.ZERO;
        }
        synchronized (state) {
            Duration left = Duration.between(clock.instant(), state.blockedUntil);
            return left.isNegative() ? Duration.ZERO : left;
        }
    }

    /** Counts a failed login from this address; may start (or lengthen) its refusal. */
    void failed(String address) {
        String key = key(address);
        Instant now = clock.instant();
        if (!states.containsKey(key) && states.size() >= settings.maxTrackedAddresses()) {
            prune();
            if (states.size() >= settings.maxTrackedAddresses()) {
                if (lastFullWarning.plusSeconds(60).isBefore(now)) {
                    lastFullWarning = now;
                    log.warn("Admin API login throttling tracks {} addresses already; failures from new addresses are not counted",
                            states.size());
                }
                return;
            }
        }
        State state = states.computeIfAbsent(key, k -> new State());
        synchronized (state) {
            if (forgotten(state, now)) {
                state.failures = 0;
                state.blocks = 0;
            }
            state.failures++;
            state.lastFailure = now;
            // Before the first refusal an address gets maxFailures tries; after it, every failure is refused again, longer.
            if (state.failures >= settings.maxFailures() || state.blocks > 0) {
                Duration block = blockLength(state.blocks);
                state.blocks++;
                state.failures = 0;
                state.blockedUntil = now.plus(block);
                log.warn("Admin API: {} from {}; refusing its logins for {} s", state.blocks == 1
                        ? settings.maxFailures() + " failed logins" : "another failed login after a refusal", key, block.toSeconds());
            }
        }
    }

    private Duration blockLength(int previousBlocks) {
        Duration block = settings.firstBlock();
        for (int i = 0; i < previousBlocks && block.compareTo(settings.maxBlock()) < 0; i++) {
            block = block.multipliedBy(2);
        }
        return block.compareTo(settings.maxBlock()) > 0 ? settings.maxBlock() : block;
    }

    private boolean forgotten(State state, Instant now) {
        Instant quietSince = state.lastFailure == null || state.blockedUntil.isAfter(state.lastFailure)
                ? state.blockedUntil : state.lastFailure;
        return quietSince.plus(settings.forgetAfter()).isBefore(now);
    }

    /** Drops addresses that have been quiet long enough to start afresh anyway. */
    @Scheduled(fixedDelay = 60_000, initialDelay = 60_000)
    void prune() {
        Instant now = clock.instant();
        states.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                return forgotten(e.getValue(), now);
            }
        });
    }

    int tracked() {
        return states.size();
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
