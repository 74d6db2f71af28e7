package dev.ferry.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The delay before each retry: doubling from the initial interval, with jitter, up to the maximum. */
class RetryDelayTest {

    @Test
    void delaysDoubleWithJitterUpToTheMaximum() {
        DeliveryWorker worker = new DeliveryWorker(new Outbox(null), new EventActions(List.of()), TargetAddressesTest.properties(false), null,
                new SimpleMeterRegistry());
        // properties(false): initial 1s, max 1m
        Set<Long> firsts = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            long first = worker.delayAfter(1).toMillis();
            assertThat(first).isBetween(500L, 1500L);
            firsts.add(first);
            assertThat(worker.delayAfter(3).toMillis()).as("4 s, plus or minus half").isBetween(2000L, 6000L);
            assertThat(worker.delayAfter(40)).isLessThanOrEqualTo(Duration.ofMinutes(1).plusMillis(500));
            assertThat(worker.delayAfter(40)).isGreaterThanOrEqualTo(Duration.ofSeconds(30));
        }
        assertThat(firsts).as("jitter: not the same delay for everyone").hasSizeGreaterThan(5);
    }
}
