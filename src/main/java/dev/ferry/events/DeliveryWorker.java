package dev.ferry.events;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Sends the outbox's due deliveries, on every instance. One thread claims batches of up to
 * {@code sftp.events.batch-size} (holding at most two at once) when woken: by the database when deliveries are
 * queued ({@link DeliveryNotifications}), by a finished delivery (the next of its file may now be
 * due), at a failed one's retry time, or by the slower {@code sftp.events.poll-interval}. A pool
 * of {@code sftp.events.concurrency} sender threads sends them, at most
 * {@code sftp.events.per-endpoint} at once to one endpoint; deliveries to an action that pipelines
 * (Kafka) go as one batch per stored action. The outcomes are written in batches
 * ({@link OutcomeRecorder}). Its own threads and short statements: SFTP sessions never wait for a
 * receiver. A failed attempt is retried after an exponential backoff with jitter (Spring's
 * {@link ExponentialBackOff}, the n-th delay of a fresh execution, as the attempt count is in the
 * database), until {@code sftp.events.retry.max-age}.
 */
@Component
class DeliveryWorker implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DeliveryWorker.class);

    private final Outbox outbox;
    private final EventActions actions;
    private final EventsProperties properties;
    private final DataSource dataSource;
    private final MeterRegistry meters;
    private final ExponentialBackOff backOff;
    private final Map<String, Semaphore> endpoints = new ConcurrentHashMap<>();
    /** Claimed deliveries whose outcome is not written yet. */
    private final AtomicInteger inFlight = new AtomicInteger();
    /** System.nanoTime() of the earliest retry this instance recorded (after the commit), for the poller's wait. */
    private final AtomicLong nextRetry = new AtomicLong(Long.MAX_VALUE);
    private final Object wake = new Object();
    private boolean woken;
    private volatile boolean running;
    private Thread poller;
    private Thread recorderThread;
    private Thread listenerThread;
    private OutcomeRecorder recorder;
    private DeliveryNotifications notifications;
    private ExecutorService senders;

    DeliveryWorker(Outbox outbox, EventActions actions, EventsProperties properties, DataSource dataSource, MeterRegistry meters) {
        this.outbox = outbox;
        this.actions = actions;
        this.properties = properties;
        this.dataSource = dataSource;
        this.meters = meters;
        this.backOff = new ExponentialBackOff(properties.retry().initialInterval().toMillis(), 2.0);
        backOff.setMaxInterval(properties.retry().maxInterval().toMillis());
        backOff.setJitter(properties.retry().initialInterval().toMillis() / 2);
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
        senders = Executors.newFixedThreadPool(properties.concurrency(), r -> daemon(r, "ferry-events-" + n.incrementAndGet()));
        recorder = new OutcomeRecorder(outbox, properties.retry().maxAge(), meters, (done, retry) -> {
            if (retry != null) {
                long at = System.nanoTime() + retry.toNanos();
                nextRetry.accumulateAndGet(at, (a, b) -> a - b < 0 ? a : b);
            }
            inFlight.addAndGet(-done);
            wake(); // a delivery done may make the next one of its file due
        });
        recorderThread = daemon(recorder, "ferry-events-recorder");
        recorderThread.start();
        notifications = new DeliveryNotifications(dataSource, this::wake);
        listenerThread = daemon(notifications, "ferry-events-listener");
        listenerThread.start();
        poller = daemon(this::poll, "ferry-events-poller");
        poller.start();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void stop() {
        running = false;
        notifications.stop();
        wake();
        senders.shutdown();
        try {
            poller.join(5000);
            // Deliveries in flight finish (or time out) and their outcomes are written; their leases run out otherwise.
            senders.awaitTermination(properties.webhook().timeout().toSeconds() * 2 + 5, TimeUnit.SECONDS);
            recorder.stop();
            recorderThread.join(5000);
            listenerThread.join(2000);
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

    private void wake() {
        synchronized (wake) {
            woken = true;
            wake.notifyAll();
        }
    }

    /**
     * Claims while there is room: up to a batch while up to another is in flight, so sending one
     * overlaps claiming the next; not for a few free places (every claim reads the whole backlog
     * once), unless nothing is in flight.
     */
    private void poll() {
        int batch = properties.batchSize();
        while (running) {
            boolean more = false;
            int held = inFlight.get();
            int free = Math.min(batch, 2 * batch - held);
            if (free > 0 && (held == 0 || free >= Math.max(1, batch / 2))) {
                try {
                    long leaseEnd = System.nanoTime() + properties.lease().toNanos();
                    List<Outbox.Claimed> due = outbox.claim(free, properties.lease());
                    dispatch(due, leaseEnd);
                    more = due.size() == free; // a full batch: more may be due at once
                } catch (RuntimeException e) {
                    if (running) {
                        log.warn("Could not claim event deliveries: {}", e.toString());
                    }
                }
            }
            if (!more) {
                await();
            }
        }
    }

    /** Until woken, the earliest retry this instance scheduled, or the poll interval. */
    private void await() {
        long now = System.nanoTime();
        long until = Math.min(now + properties.pollInterval().toNanos(), nextRetry.get());
        synchronized (wake) {
            try {
                while (!woken && running && until - System.nanoTime() > 0) {
                    TimeUnit.NANOSECONDS.timedWait(wake, until - System.nanoTime());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
            woken = false;
        }
        long retry = nextRetry.get();
        if (retry - System.nanoTime() <= 0) {
            nextRetry.compareAndSet(retry, Long.MAX_VALUE); // due now: the next claim takes it
        }
    }

    private void dispatch(List<Outbox.Claimed> due, long leaseEnd) {
        inFlight.addAndGet(due.size());
        Map<String, List<Outbox.Claimed>> batches = new LinkedHashMap<>();
        for (Outbox.Claimed delivery : due) {
            EventAction action = delivery.action() == null ? null : actions.get(delivery.action().path("type").asString());
            if (action == null) {
                recorder.add(new Outbox.Outcome(delivery.id(), Outbox.Kind.DEAD, null, "the rule no longer has this action", null), delivery);
            } else if (action.pipelines()) {
                batches.computeIfAbsent(delivery.action().toString(), k -> new ArrayList<>()).add(delivery);
            } else {
                senders.execute(() -> send(action, List.of(delivery), leaseEnd));
            }
        }
        for (List<Outbox.Claimed> batch : batches.values()) {
            EventAction action = actions.get(batch.get(0).action().path("type").asString());
            senders.execute(() -> send(action, batch, leaseEnd));
        }
    }

    /** Sends deliveries to one stored action (one, or a pipelined batch) and queues their outcomes. */
    private void send(EventAction action, List<Outbox.Claimed> batch, long leaseEnd) {
        List<DeliveryOutcome> outcomes;
        try {
            outcomes = attempt(action, batch, leaseEnd);
        } catch (RuntimeException e) {
            outcomes = batch.stream().map(d -> DeliveryOutcome.failed(null, e.toString())).toList();
        }
        if (outcomes == null) {
            return; // released
        }
        for (int i = 0; i < batch.size(); i++) {
            Outbox.Claimed d = batch.get(i);
            DeliveryOutcome outcome = outcomes.get(i);
            Duration delay = outcome.delivered() ? null : delayAfter(d.attempts());
            recorder.add(Outbox.Outcome.of(d.id(), outcome, delay), d);
        }
    }

    /** The outcomes, or null if the deliveries were released unsent. */
    private List<DeliveryOutcome> attempt(EventAction action, List<Outbox.Claimed> batch, long leaseEnd) {
        Outbox.Claimed first = batch.get(0);
        Semaphore endpoint = endpoints.computeIfAbsent(action.endpoint(first.action()), e -> new Semaphore(properties.perEndpoint()));
        endpoint.acquireUninterruptibly();
        try {
            // Waited for a sender for more than half the lease (which is at least twice the webhook
            // timeout): sent now, it might still be in flight when the lease runs out and another
            // instance claims it. Released unsent instead; the next claim takes it again.
            if (leaseEnd - System.nanoTime() < properties.lease().toNanos() / 2) {
                for (Outbox.Claimed d : batch) {
                    recorder.add(new Outbox.Outcome(d.id(), Outbox.Kind.RELEASED, null, null, null), d);
                }
                return null;
            }
            List<OutgoingEvent> events = new ArrayList<>(batch.size());
            for (Outbox.Claimed d : batch) {
                events.add(new OutgoingEvent(d.id(), d.eventId(), d.rule(), d.key(), EventBody.of(d.payload(), d.rule())));
            }
            return batch.size() == 1 ? List.of(action.deliver(events.get(0), first.action())) : action.deliverAll(events, first.action());
        } finally {
            endpoint.release();
        }
    }
}
