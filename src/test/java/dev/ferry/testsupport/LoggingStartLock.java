package dev.ferry.testsupport;

import java.util.concurrent.locks.ReentrantLock;
import org.springframework.boot.context.event.ApplicationContextInitializedEvent;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.boot.context.event.ApplicationStartingEvent;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.event.SmartApplicationListener;
import org.springframework.core.Ordered;

/**
 * Lets instances started at the same moment in one JVM (replicas racing on an empty database,
 * as HostKeysIT starts them) set up logging one after the other. Spring Boot resets the JVM's one
 * Logback context at every start, and two resets at once fail with a
 * ConcurrentModificationException inside Logback. Held from the very first event until the context
 * is initialized, which is before any bean is made: what the tests race (host keys, the first
 * admin) still runs concurrently.
 */
final class LoggingStartLock implements SmartApplicationListener {

    private static final ReentrantLock LOCK = new ReentrantLock();

    @Override
    public boolean supportsEventType(Class<? extends ApplicationEvent> type) {
        return ApplicationStartingEvent.class.isAssignableFrom(type) || ApplicationContextInitializedEvent.class.isAssignableFrom(type)
                || ApplicationFailedEvent.class.isAssignableFrom(type);
    }

    @Override
    public void onApplicationEvent(ApplicationEvent event) {
        if (event instanceof ApplicationStartingEvent) {
            LOCK.lock();
        } else if (LOCK.isHeldByCurrentThread()) {
            LOCK.unlock();
        }
    }

    /** Before Spring Boot's own logging listener. */
    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
