package dev.ferry.events;

import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/**
 * One kind of action a rule can take with a matching event (the {@code "type"} of an entry in a
 * rule's {@code actions}). A new kind is one Spring bean implementing this: the rules' API validates
 * and shows its JSON through it, the outbox sends through it, with retries, order per file and dead
 * letters handled around it.
 */
public interface EventAction {

    /** The {@code "type"} it answers to, e.g. {@code webhook}. */
    String type();

    /**
     * Checks an action as an admin sent it and returns the form to store.
     *
     * @param given    the action's JSON; its {@code type} is {@link #type()}
     * @param previous on an update, the stored action this one replaces (same position, same type), else null
     * @param field    where the action is in the request, for messages, e.g. {@code actions[1]}
     * @throws dev.ferry.shared.InvalidInputException naming {@code field} (and the member) when it is not acceptable
     */
    Validated validate(ObjectNode given, ObjectNode previous, String field);

    /** What the API shows of a stored action: never a secret. */
    default ObjectNode view(ObjectNode stored) {
        return stored.deepCopy();
    }

    /** A short description for the audit trail: no secrets (and nothing a URL's path could hide one in). */
    String describe(ObjectNode stored);

    /** Deliveries to the same endpoint (a host and port, a topic) share {@code sftp.events.per-endpoint}. */
    String endpoint(ObjectNode stored);

    /**
     * Sends one event, synchronously, within the webhook timeout. A failure is an outcome, not an
     * exception: the outbox retries it later.
     */
    DeliveryOutcome deliver(OutgoingEvent event, ObjectNode stored);

    /**
     * Whether {@link #deliverAll} sends a batch in less time than one {@link #deliver} after another
     * (Kafka: all records in flight at once). The worker then hands it every claimed delivery to
     * one stored action together, on one sender thread.
     */
    default boolean pipelines() {
        return false;
    }

    /**
     * Sends several events to one stored action, within twice the webhook timeout; the outcomes in
     * the order of {@code events}. A batch holds at most one event of each rule's queue per file
     * (the outbox claims only the head of each), so their order among each other is free.
     */
    default List<DeliveryOutcome> deliverAll(List<OutgoingEvent> events, ObjectNode stored) {
        return events.stream().map(e -> deliver(e, stored)).toList();
    }

    /**
     * @param stored    the action as stored (secrets sealed)
     * @param shownOnce members the creator must see once, in the answer to the change (a generated secret), or null
     */
    record Validated(ObjectNode stored, ObjectNode shownOnce) {
    }
}
