package dev.ferry.events;

/**
 * One event as an action sends it.
 *
 * @param deliveryId the outbox row
 * @param eventId    the audit record's id: the same for every retry of it (the receivers' idempotency key)
 * @param rule       the rule's name
 * @param key        {@code username:path}, what orders the events of one file (the Kafka record key)
 * @param body       the JSON document sent: the audit record's fields and {@code "rule"}
 */
public record OutgoingEvent(long deliveryId, long eventId, String rule, String key, String body) {
}
