package dev.ferry.events;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the outcomes of delivery attempts to the outbox as they come in, one statement for all
 * that arrived since the last one (a group commit: one at a time while deliveries trickle in, a
 * whole claimed batch's at once under load), on a thread of its own so senders go on sending.
 * An outcome that cannot be written is lost with its lease, which runs out: the delivery is sent
 * again (at least once).
 */
final class OutcomeRecorder implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(OutcomeRecorder.class);
    private static final int MAX_BATCH = 1000;

    /** An outcome and what the log says about a delivery that is dead. */
    record Entry(Outbox.Outcome outcome, Outbox.Claimed delivery) {
    }

    private final Outbox outbox;
    private final Duration maxAge;
    private final Recorded recorded;
    private final BlockingQueue<Entry> queue = new LinkedBlockingQueue<>();
    private final Counter deliveredCount;
    private final Counter failedCount;
    private final Counter deadCount;
    private volatile boolean running = true;

    /** Told after each statement. */
    interface Recorded {

        /**
         * @param count         outcomes written (or given up on)
         * @param earliestRetry of the failed ones written, the shortest delay to their next attempt, counted from
         *                      now (after the commit, so never before the database's retry time); null if none
         */
        void done(int count, Duration earliestRetry);
    }

    OutcomeRecorder(Outbox outbox, Duration maxAge, MeterRegistry meters, Recorded recorded) {
        this.outbox = outbox;
        this.maxAge = maxAge;
        this.recorded = recorded;
        this.deliveredCount = Counter.builder("ferry.events.delivered").description("Event deliveries a receiver took (this instance)")
                .register(meters);
        this.failedCount = Counter.builder("ferry.events.failed").description("Delivery attempts that failed and are retried or dead "
                + "(this instance)").register(meters);
        this.deadCount = Counter.builder("ferry.events.dead").description("Deliveries that failed until sftp.events.retry.max-age "
                + "(this instance)").register(meters);
    }

    void add(Outbox.Outcome outcome, Outbox.Claimed delivery) {
        queue.add(new Entry(outcome, delivery));
    }

    /** Writes what is queued, then stops. */
    void stop() {
        running = false;
    }

    @Override
    public void run() {
        List<Entry> batch = new ArrayList<>();
        while (running || !queue.isEmpty()) {
            try {
                Entry first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                Duration retry = write(batch);
                int n = batch.size();
                batch.clear();
                recorded.done(n, retry);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** @return the shortest retry delay among the failed outcomes written, or null */
    private Duration write(List<Entry> batch) {
        List<Outbox.Outcome> outcomes = new ArrayList<>(batch.size());
        for (Entry e : batch) {
            outcomes.add(e.outcome());
        }
        Set<Long> dead;
        try {
            dead = new HashSet<>(outbox.record(outcomes, maxAge));
        } catch (RuntimeException e) {
            log.warn("Could not record the outcome of {} event deliveries (they are sent again once their lease runs out): {}",
                    batch.size(), e.toString());
            return null;
        }
        Duration retry = null;
        for (Entry e : batch) {
            switch (e.outcome().kind()) {
                case DELIVERED -> deliveredCount.increment();
                case FAILED -> {
                    failedCount.increment();
                    if (!dead.contains(e.outcome().id()) && (retry == null || e.outcome().delay().compareTo(retry) < 0)) {
                        retry = e.outcome().delay();
                    }
                }
                case DEAD, RELEASED -> {
                }
            }
            if (dead.contains(e.outcome().id())) {
                deadCount.increment();
                Outbox.Claimed d = e.delivery();
                log.warn("Event delivery {} (rule '{}', event {}) is dead after {} attempts: {}", d.id(), d.rule(), d.eventId(),
                        d.attempts(), e.outcome().error());
            }
        }
        return retry;
    }
}
