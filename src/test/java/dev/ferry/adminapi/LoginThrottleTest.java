package dev.ferry.adminapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {

    static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    final MutableClock clock = new MutableClock();
    /** 3 per account and address; 6 per address, forgotten over 60 s (one every 10 s). */
    final LoginThrottle throttle = new LoginThrottle(new AdminApiProperties.LoginThrottle(3, Duration.ofMinutes(1),
            Duration.ofMinutes(5), Duration.ofMinutes(15), 6, Duration.ofSeconds(60), 4), clock);

    Duration blocked(String address, String account) {
        return throttle.refusal(address, account).map(LoginThrottle.Refusal::retryAfter).orElse(Duration.ZERO);
    }

    @Test
    void refusesAnAccountFromAnAddressAfterMaxFailuresThenDoublesUpToTheMaximum() {
        throttle.failed("192.0.2.1", "admin");
        throttle.failed("192.0.2.1", "admin");
        assertThat(blocked("192.0.2.1", "admin")).isZero();
        throttle.failed("192.0.2.1", "admin");
        assertThat(blocked("192.0.2.1", "admin")).isEqualTo(Duration.ofMinutes(1));
        assertThat(throttle.refusal("192.0.2.1", "admin")).get().extracting(LoginThrottle.Refusal::wholeAddress).isEqualTo(false);

        Duration[] expected = {Duration.ofMinutes(2), Duration.ofMinutes(4), Duration.ofMinutes(5), Duration.ofMinutes(5)};
        for (Duration next : expected) {
            clock.advance(blocked("192.0.2.1", "admin"));
            assertThat(blocked("192.0.2.1", "admin")).isZero();
            throttle.failed("192.0.2.1", "admin"); // one failure after a refusal is enough for the next one
            assertThat(blocked("192.0.2.1", "admin")).isEqualTo(next);
        }
    }

    @Test
    void oneAccountsFailuresDoNotRefuseAnotherAccountFromTheSameAddressNorTheSameAccountElsewhere() {
        for (int i = 0; i < 3; i++) {
            throttle.failed("192.0.2.1", "nightly-script");
        }
        assertThat(blocked("192.0.2.1", "nightly-script")).isPositive();
        assertThat(throttle.refusal("192.0.2.1", "alice")).isEmpty();
        assertThat(throttle.refusal("192.0.2.2", "nightly-script")).isEmpty();
    }

    @Test
    void accountNamesAreMatchedAsLoginsMatchThem() {
        throttle.failed("192.0.2.1", "Admin");
        throttle.failed("192.0.2.1", " admin ");
        throttle.failed("192.0.2.1", "ADMIN");
        assertThat(blocked("192.0.2.1", "admin")).isPositive();
        // names longer than any account's share one count, so they cannot make up fresh counts without end
        assertThat(LoginThrottle.accountKey("192.0.2.1", "x".repeat(65))).isEqualTo(LoginThrottle.accountKey("192.0.2.1", "y".repeat(500)));
        assertThat(LoginThrottle.accountKey("192.0.2.1", "x".repeat(64))).isNotEqualTo(LoginThrottle.accountKey("192.0.2.1", "y".repeat(64)));
    }

    @Test
    void aSuccessClearsItsAccountsCountButNotTheAddresses() {
        throttle.failed("192.0.2.1", "admin");
        throttle.failed("192.0.2.1", "admin");
        throttle.succeeded("192.0.2.1", "admin");
        throttle.failed("192.0.2.1", "admin");
        throttle.failed("192.0.2.1", "admin");
        assertThat(throttle.refusal("192.0.2.1", "admin")).isEmpty();
        // 4 failures in the address's count: 2 more and the address is at its ceiling
        throttle.failed("192.0.2.1", "bob");
        throttle.failed("192.0.2.1", "carol");
        assertThat(throttle.refusal("192.0.2.1", "dave")).get().extracting(LoginThrottle.Refusal::wholeAddress).isEqualTo(true);
    }

    @Test
    void aSprayOverManyAccountsFromOneAddressHitsTheAddressCeiling() {
        for (int i = 0; i < 5; i++) {
            throttle.failed("198.51.100.7", "guess-" + i);
            assertThat(throttle.refusal("198.51.100.7", "admin")).isEmpty();
        }
        throttle.failed("198.51.100.7", "guess-5");
        Optional<LoginThrottle.Refusal> refusal = throttle.refusal("198.51.100.7", "admin");
        assertThat(refusal).isPresent();
        assertThat(refusal.get().wholeAddress()).isTrue();
        // one failure is forgotten every 10 s: then exactly one more try fits
        assertThat(refusal.get().retryAfter()).isEqualTo(Duration.ofSeconds(10));
        assertThat(throttle.refusal("198.51.100.8", "admin")).isEmpty();
        clock.advance(Duration.ofSeconds(10));
        assertThat(throttle.refusal("198.51.100.7", "admin")).isEmpty();
        throttle.failed("198.51.100.7", "guess-6");
        assertThat(blocked("198.51.100.7", "admin")).isEqualTo(Duration.ofSeconds(10));
        // quiet for the window: the address starts afresh
        clock.advance(Duration.ofSeconds(60));
        for (int i = 0; i < 5; i++) {
            throttle.failed("198.51.100.7", "again-" + i);
        }
        assertThat(throttle.refusal("198.51.100.7", "admin")).isEmpty();
    }

    /**
     * The NAT: a script retries a wrong password every 10 seconds for a day with the default
     * settings. Its own refusals keep its failures so few that the address never reaches its ceiling,
     * and an admin behind the same address logs in at any time.
     */
    @Test
    void aScriptStuckOnAWrongPasswordForADayNeverLocksOutTheOthersBehindItsAddress() {
        LoginThrottle defaults = new LoginThrottle(new AdminApiProperties.LoginThrottle(10, Duration.ofMinutes(1),
                Duration.ofHours(1), Duration.ofMinutes(15), 100, Duration.ofHours(1), 100_000), clock);
        int failures = 0;
        int refusals = 0;
        for (int attempt = 0; attempt < 6 * 60 * 24; attempt++) {
            if (defaults.refusal("203.0.113.5", "nightly-script").isPresent()) {
                refusals++;
            } else {
                defaults.failed("203.0.113.5", "nightly-script");
                failures++;
            }
            assertThat(defaults.refusal("203.0.113.5", "alice")).as("attempt %d", attempt).isEmpty();
            clock.advance(Duration.ofSeconds(10));
        }
        assertThat(failures).isBetween(30, 50);
        assertThat(refusals).isPositive();
    }

    @Test
    void anAddressQuietLongEnoughStartsAfresh() {
        for (int i = 0; i < 3; i++) {
            throttle.failed("192.0.2.9", "admin");
        }
        clock.advance(Duration.ofMinutes(1).plus(Duration.ofMinutes(16)));
        throttle.failed("192.0.2.9", "admin");
        assertThat(blocked("192.0.2.9", "admin")).isZero();
        throttle.prune();
        assertThat(throttle.tracked()).containsEntry("accounts", 1).containsEntry("addresses", 1);
        clock.advance(Duration.ofMinutes(16));
        throttle.prune();
        assertThat(throttle.tracked()).containsEntry("accounts", 0).containsEntry("addresses", 0);
    }

    @Test
    void countsIpv6ClientsPerSlash64() {
        for (int i = 1; i <= 3; i++) {
            throttle.failed("2001:db8:1:2::" + i, "admin");
        }
        assertThat(blocked("2001:db8:1:2:ffff::1", "admin")).isPositive();
        assertThat(blocked("2001:db8:1:3::1", "admin")).isZero();
        assertThat(LoginThrottle.key("::ffff:192.0.2.1")).isEqualTo("192.0.2.1");
        assertThat(LoginThrottle.key("0:0:0:0:0:0:0:1")).isEqualTo("0:0:0:0:0:0:0:0/64");
    }

    @Test
    void tracksAtMostTheConfiguredNumberOfEntries() {
        for (int i = 0; i < 10; i++) {
            throttle.failed("198.51.100." + i, "admin");
        }
        assertThat(throttle.tracked()).containsEntry("accounts", 4).containsEntry("addresses", 4);
    }
}
