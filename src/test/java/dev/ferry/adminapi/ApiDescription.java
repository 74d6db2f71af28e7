package dev.ferry.adminapi;

import java.nio.file.Path;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The admin API's OpenAPI description as admin-ui/openapi.json holds it, from which the UI's types are generated. */
final class ApiDescription {

    static final Path FILE = Path.of(System.getProperty("basedir", ".")).resolve("admin-ui/openapi.json");
    static final JsonMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private ApiDescription() {
    }

    /** Without what depends on the serving instance: the server URL springdoc derives from the request. */
    static JsonNode normalized(JsonNode served) {
        ObjectNode copy = (ObjectNode) served.deepCopy();
        copy.remove("servers");
        return copy;
    }
}
