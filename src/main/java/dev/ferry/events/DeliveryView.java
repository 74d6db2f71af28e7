package dev.ferry.events;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One delivery of one event by one action of a rule, as the API lists it.
 *
 * @param eventId       the audit record's id (the webhook's {@code Ferry-Event-Id})
 * @param action        the action's type; {@code actionIndex} its place in the rule's actions
 * @param status        pending, delivered or dead
 * @param attempts      attempts made so far
 * @param nextAttemptAt when a pending one is tried next
 * @param latencyMs     from the audit record's insert to the receiver's acceptance, for a delivered one
 * @param lastStatus    the receiver's last HTTP status, if it answered
 * @param lastError     the last failure: the status and the start of the answer, or the connection's error
 */
public record DeliveryView(long id, long eventId, long ruleId, String rule, int actionIndex, String action, String eventType,
        @Nullable String path, String status, int attempts, Instant createdAt, @Nullable Instant nextAttemptAt, @Nullable Instant deliveredAt,
        @Nullable Long latencyMs, @Nullable Integer lastStatus, @Nullable String lastError) {
}
