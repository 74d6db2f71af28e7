package dev.ferry.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.audit.AuditType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The event's JSON as sent, and its published schema (docs/events), agree. */
class EventBodyTest {

    static final Path SCHEMA = Path.of(System.getProperty("basedir", "."), "docs/events/ferry-event-v1.schema.json");

    @Test
    void theBodyHasTheContractsFieldsInOrderAndTheTimestampInTheAuditApisForm() {
        JsonNode payload = EventRules.JSON.readTree("{\"detail\":null,\"bytes\":5,\"id\":7,\"type\":\"UPLOAD\","
                + "\"timestamp\":\"2026-12-07T10:15:30.120000Z\",\"username\":\"acme\",\"remoteAddress\":\"10.0.0.1\",\"sessionId\":\"s\","
                + "\"path\":\"/a\",\"targetPath\":null,\"sha256\":null,\"status\":\"OK\"}");
        JsonNode body = EventRules.JSON.readTree(EventBody.of((tools.jackson.databind.node.ObjectNode) payload, "r1"));
        assertThat(new ArrayList<>(body.propertyNames())).containsExactly("id", "type", "timestamp", "username", "remoteAddress",
                "sessionId", "path", "targetPath", "bytes", "sha256", "status", "detail", "rule");
        assertThat(body.get("timestamp").asString()).isEqualTo("2026-12-07T10:15:30.120Z");
        assertThat(body.get("rule").asString()).isEqualTo("r1");
        assertThat(body.get("bytes").asLong()).isEqualTo(5);
    }

    @Test
    void theSchemaRequiresExactlyTheFieldsSentAndKnowsEveryAuditType() throws Exception {
        JsonNode schema = EventRules.JSON.readTree(Files.readString(SCHEMA));
        List<String> required = new ArrayList<>();
        schema.get("required").forEach(n -> required.add(n.asString()));
        List<String> sent = new ArrayList<>(EventBody.FIELDS);
        sent.add("rule");
        assertThat(required).isEqualTo(sent);
        assertThat(new ArrayList<>(schema.get("properties").propertyNames())).isEqualTo(sent);
        List<String> types = new ArrayList<>();
        schema.get("properties").get("type").get("enum").forEach(n -> types.add(n.asString()));
        assertThat(types).containsExactlyInAnyOrderElementsOf(Arrays.stream(AuditType.values()).map(Enum::name).toList());
    }
}
