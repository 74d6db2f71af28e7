package dev.ferry.events;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Sends the outbox's due deliveries, on every instance: one thread claims up to as many as there
 * are free senders ({@code sftp.events.concurrency}), a pool of sender threads sends them, at most
 * {@code sftp.events.per-endpoint} to one endpoint at once. Its own threads and short statements:
 * SFTP sessions never wait for a receiver. A failed attempt is retried after an exponential
 * backoff with jitter (Spring's {@link ExponentialBackOff}, the n-th delay of a fresh execution,
 * as the attempt count is in the database), until {@code sftp.events.retry.max-age}.
 */
@Component
class DeliveryWorker implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DeliveryWorker.class);

    private final Outbox outbox;
    private final EventActions actions;
    private final EventsProperties properties;
    private final ExponentialBackOff backOff;
    private final Map<String, Semaphore> endpoints = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Object wake = new Object();
    private final Counter deliveredCount;
    private final Counter failedCount;
    private final Counter deadCount;
    private volatile boolean running;
    private Thread poller;
    private ExecutorService senders;

    DeliveryWorker(Outbox outbox, EventActions actions, EventsProperties properties, MeterRegistry meters) {
        this.outbox = outbox;
        this.actions = actions;
        this.properties = properties;
        this.backOff = new ExponentialBackOff(properties.retry().initialInterval().toMillis(), 2.0);
        backOff.setMaxInterval(properties.retry().maxInterval().toMillis());
        backOff.setJitter(properties.retry().initialInterval().toMillis() / 2);
        this.deliveredCount = Counter.builder("ferry.events.delivered").description("Event deliveries a receiver took (this instance)")
                .register(meters);
        this.failedCount = Counter.builder("ferry.events.failed").description("Delivery attempts that failed and are retried or dead "
                + "(this instance)").register(meters);
        this.deadCount = Counter.builder("ferry.events.dead").description("Deliveries that failed until sftp.events.retry.max-age "
                + "(this instance)").register(meters);
    }

    /** The delay before the retry after the {@code attempts}-th failed attempt. */
    Duration delayAfter(int attempts) {
        BackOffExecution execution = backOff.start();
        long delay = 0;
        for (int i = 0; i < Math.max(1, Math.min(attempts, 64)); i++) {
            delay = execution.nextBackOff();
        }
        return Duration.ofMillis(Math.max(0, delay));
    }

    @Override
    public void start() {
        running = true;
        AtomicInteger n = new AtomicInteger();
        senders = Executors.newFixedThreadPool(properties.concurrency(), r -> {
            Thread t = new Thread(r, "ferry-events-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        poller = new Thread(this::poll, "ferry-events-poller");
        poller.setDaemon(true);
        poller.start();
    }

    @Override
    public void stop() {
        running = false;
        synchronized (wake) {
            wake.notifyAll();
        }
        senders.shutdown();
        try {
            poller.join(5000);
            // Deliveries in flight finish (or time out); their leases run out otherwise.
            senders.awaitTermination(properties.webhook().timeout().toSeconds() + 5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** After the web server and SFTP stop taking work, before the database goes. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1000;
    }

    private void poll() {
        while (running) {
            int claimed = 0;
            int free = properties.concurrency() - inFlight.get();
            try {
                if (free > 0) {
                    List<Outbox.Claimed> due = outbox.claim(free, properties.lease());
                    claimed = due.size();
                    for (Outbox.Claimed delivery : due) {
                        inFlight.incrementAndGet();
                        senders.execute(() -> send(delivery));
                    }
                }
            } catch (RuntimeException e) {
                if (running) {
                    log.warn("Could not claim event deliveries: {}", e.toString());
                }
            }
            if (claimed == 0 || claimed >= free) {
                synchronized (wake) {
                    try {
                        wake.wait(properties.pollInterval().toMillis());
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }
    }

    private void send(Outbox.Claimed delivery) {
        try {
            EventAction action = delivery.action() == null ? null : actions.get(delivery.action().path("type").asString());
            if (action == null) {
                outbox.dead(delivery.id(), "the rule no longer has this action");
                deadCount.increment();
                return;
            }
            Semaphore endpoint = endpoints.computeIfAbsent(action.endpoint(delivery.action()),
                    e -> new Semaphore(properties.perEndpoint()));
            DeliveryOutcome outcome;
            endpoint.acquireUninterruptibly();
            try {
                outcome = action.deliver(new OutgoingEvent(delivery.id(), delivery.eventId(), delivery.rule(), delivery.key(),
                        EventBody.of(delivery.payload(), delivery.rule())), delivery.action());
            } catch (RuntimeException e) {
                outcome = DeliveryOutcome.failed(null, e.toString());
            } finally {
                endpoint.release();
            }
            record(delivery, outcome);
        } catch (RuntimeException e) {
            // The lease runs out and the delivery is attempted again.
            log.warn("Could not record the outcome of event delivery {}: {}", delivery.id(), e.toString());
        } finally {
            inFlight.decrementAndGet();
            synchronized (wake) {
                wake.notifyAll(); // a delivery done may make the next one of its file due
            }
        }
    }

    private void record(Outbox.Claimed delivery, DeliveryOutcome outcome) {
        if (outcome.delivered()) {
            outbox.delivered(delivery.id(), outcome.httpStatus());
            deliveredCount.increment();
            return;
        }
        failedCount.increment();
        int attempts = delivery.attempts();
        if (outbox.failed(delivery.id(), outcome.httpStatus(), outcome.error(), delayAfter(attempts), properties.retry().maxAge())) {
            deadCount.increment();
            log.warn("Event delivery {} (rule '{}', event {}) is dead after {} attempts: {}", delivery.id(), delivery.rule(),
                    delivery.eventId(), attempts, outcome.error());
        }
    }
}
