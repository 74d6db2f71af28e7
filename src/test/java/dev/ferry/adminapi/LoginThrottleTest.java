package dev.ferry.adminapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
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
    final LoginThrottle throttle = new LoginThrottle(new AdminApiProperties.LoginThrottle(3, Duration.ofMinutes(1),
            Duration.ofMinutes(5), Duration.ofMinutes(15), 4), clock);

    @Test
    void refusesAfterMaxFailuresThenDoublesUpToTheMaximum() {
        throttle.failed("192.0.2.1");
        throttle.failed("192.0.2.1");
        assertThat(throttle.blockedFor("192.0.2.1")).isZero();
        throttle.failed("192.0.2.1");
        assertThat(throttle.blockedFor("192.0.2.1")).isEqualTo(Duration.ofMinutes(1));
        assertThat(throttle.blockedFor("192.0.2.2")).isZero();

        Duration[] expected = {Duration.ofMinutes(2), Duration.ofMinutes(4), Duration.ofMinutes(5), Duration.ofMinutes(5)};
        for (Duration next : expected) {
            clock.advance(throttle.blockedFor("192.0.2.1"));
            assertThat(throttle.blockedFor("192.0.2.1")).isZero();
            throttle.failed("192.0.2.1"); // one failure after a refusal is enough for the next one
            assertThat(throttle.blockedFor("192.0.2.1")).isEqualTo(next);
        }
    }

    @Test
    void anAddressQuietLongEnoughStartsAfresh() {
        for (int i = 0; i < 3; i++) {
            throttle.failed("192.0.2.9");
        }
        clock.advance(Duration.ofMinutes(1).plus(Duration.ofMinutes(16)));
        throttle.failed("192.0.2.9");
        assertThat(throttle.blockedFor("192.0.2.9")).isZero();
        throttle.prune();
        assertThat(throttle.tracked()).isEqualTo(1);
        clock.advance(Duration.ofMinutes(16));
        throttle.prune();
        assertThat(throttle.tracked()).isZero();
    }

    @Test
    void countsIpv6ClientsPerSlash64() {
        for (int i = 1; i <= 3; i++) {
            throttle.failed("2001:db8:1:2::" + i);
        }
        assertThat(throttle.blockedFor("2001:db8:1:2:ffff::1")).isPositive();
        assertThat(throttle.blockedFor("2001:db8:1:3::1")).isZero();
        assertThat(LoginThrottle.key("::ffff:192.0.2.1")).isEqualTo("192.0.2.1");
        assertThat(LoginThrottle.key("0:0:0:0:0:0:0:1")).isEqualTo("0:0:0:0:0:0:0:0/64");
    }

    @Test
    void tracksAtMostTheConfiguredNumberOfAddresses() {
        for (int i = 0; i < 10; i++) {
            throttle.failed("198.51.100." + i);
        }
        assertThat(throttle.tracked()).isEqualTo(4);
    }
}
