package dev.ferry.events;

import java.time.Instant;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON document every action sends (schema {@code docs/events/ferry-event-v1.schema.json}):
 * the audit record's fields as the audit API shows them, in the contract's order, and the rule's
 * name. The trigger copied the fields at insert (V14); here they get their order and the
 * timestamp its API form (ISO-8601 UTC, as {@link Instant#toString()}).
 */
final class EventBody {

    /** The audit record's fields in the body, in order; {@code rule} follows. */
    static final List<String> FIELDS = List.of("id", "type", "timestamp", "username", "remoteAddress", "sessionId", "path",
            "targetPath", "bytes", "sha256", "status", "detail");

    private EventBody() {
    }

    static String of(ObjectNode payload, String rule) {
        ObjectNode body = EventRules.JSON.createObjectNode();
        for (String field : FIELDS) {
            JsonNode value = payload.get(field);
            if (field.equals("timestamp") && value != null && value.isString()) {
                body.put(field, Instant.parse(value.asString()).toString());
            } else {
                body.set(field, value == null ? body.nullNode() : value);
            }
        }
        body.put("rule", rule);
        return EventRules.JSON.writeValueAsString(body);
    }
}
