package dev.ferry.adminapi;

import dev.ferry.access.Permission;
import dev.ferry.events.EventRules;
import io.swagger.v3.core.converter.AnnotatedType;
import io.swagger.v3.core.converter.ModelConverter;
import io.swagger.v3.core.converter.ModelConverterContext;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.JsonNode;

/**
 * What springdoc cannot see by itself in the description at {@code /v3/api-docs}, from which the admin
 * UI's TypeScript types are generated (admin-ui/openapi.json): which record components may be
 * {@code null} (JSpecify's {@code @Nullable}, a type annotation that springdoc does not read), and
 * the permission names a user's {@code permissions} take ({@link Permission}, so the UI's list
 * follows the enum), the event types an event rule's {@code events} take ({@link EventRules#EVENT_TYPES}),
 * and what an event rule's {@code actions} hold: JSON objects each action kind checks itself, which
 * springdoc would otherwise describe by the getters of Jackson's tree classes.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiSchemas {

    static final String PERMISSION_SCHEMA = "PermissionName";
    static final String EVENT_TYPE_SCHEMA = "EventTypeName";
    static final String EVENT_ACTION_SCHEMA = "EventAction";

    static {
        // A rule's actions as sent (JsonNode) are JSON objects, not a bean to describe by its getters.
        SpringDocUtils.getConfig().replaceWithSchema(JsonNode.class, new ObjectSchema());
    }

    @Bean
    ModelConverter nullableRecordComponents() {
        return new NullableRecordComponents();
    }

    @Bean
    OpenApiCustomizer permissionNames() {
        return openApi -> {
            Map<String, Schema> schemas = openApi.getComponents().getSchemas();
            List<String> names = new ArrayList<>();
            names.add(Permission.ALL);
            for (Permission permission : Permission.values()) {
                names.add(permission.apiName());
            }
            Schema<String> permission = new Schema<>();
            permission.addType("string");
            permission.setDescription("A permission: '*' is all of them");
            permission.setEnum(names);
            schemas.put(PERMISSION_SCHEMA, permission);
            for (Schema<?> schema : schemas.values()) {
                Schema<?> permissions = schema.getProperties() == null ? null : schema.getProperties().get("permissions");
                if (permissions != null && permissions.getAdditionalProperties() instanceof Schema<?> list && list.getItems() != null) {
                    list.setItems(new Schema<>().$ref("#/components/schemas/" + PERMISSION_SCHEMA));
                }
            }
        };
    }

    @Bean
    OpenApiCustomizer eventRuleSchemas() {
        return openApi -> {
            Map<String, Schema> schemas = openApi.getComponents().getSchemas();
            Schema<String> eventType = new Schema<>();
            eventType.addType("string");
            eventType.setDescription("An event type a rule matches: an audit record's type (QUOTA_EXCEEDED: an upload refused for the quota)");
            eventType.setEnum(List.copyOf(new TreeSet<>(EventRules.EVENT_TYPES)));
            schemas.put(EVENT_TYPE_SCHEMA, eventType);
            schemas.put(EVENT_ACTION_SCHEMA, eventAction());
            for (String rule : List.of("EventRuleSpec", "EventRuleView")) {
                Map<String, Schema> properties = schemas.containsKey(rule) ? schemas.get(rule).getProperties() : null;
                if (properties != null && properties.get("events") != null) {
                    properties.get("events").setItems(new Schema<>().$ref("#/components/schemas/" + EVENT_TYPE_SCHEMA));
                }
                if (properties != null && properties.get("actions") != null) {
                    properties.get("actions").setItems(new Schema<>().$ref("#/components/schemas/" + EVENT_ACTION_SCHEMA));
                }
            }
        };
    }

    private static Schema<?> string() {
        return typed("string");
    }

    private static Schema<?> typed(String type) {
        Schema<?> schema = new Schema<>();
        schema.addType(type);
        return schema;
    }

    /** The members of the action kinds Ferry has (webhook, kafka, move, copy); each kind refuses members that are not its own. */
    private static Schema<?> eventAction() {
        Schema<?> action = new ObjectSchema();
        action.setDescription("One action of a rule: {\"type\": \"webhook\", \"url\", \"secret\"}, {\"type\": \"kafka\", \"topic\"}, "
                + "or {\"type\": \"move\" or \"copy\", \"to\", \"username\"}");
        action.addProperty("type", string().description("webhook, kafka, move or copy"));
        action.addProperty("url", string().description("webhook: the http or https URL events are POSTed to"));
        action.addProperty("secret", string().description("webhook: the signing secret, 16 to 256 printable "
                + "ASCII characters; write-only: left out, one is generated on create (and kept on update), and an answer carries it "
                + "only when that change generated it"));
        action.addProperty("secretSet", typed("boolean").description("webhook, in answers: a secret is set"));
        action.addProperty("topic", string().description("kafka: the topic events are sent to"));
        action.addProperty("to", string().description("move and copy: the target path in the receiving home, with the placeholders "
                + "{filename}, {path} (the file's directory), {username} (the file's user) and {date} (the event's day, yyyy-MM-dd, UTC), "
                + "e.g. /incoming/{username}/{filename}"));
        action.addProperty("username", string().description("move and copy: the user whose home receives the file; "
                + "left out, the file's own user"));
        action.setRequired(List.of("type"));
        return action;
    }

    /** Marks the components of Ferry's records that carry {@code @Nullable} as {@code null}-able in their schema. */
    static final class NullableRecordComponents implements ModelConverter {

        @Override
        public Schema resolve(AnnotatedType type, ModelConverterContext context, Iterator<ModelConverter> chain) {
            Schema<?> resolved = chain.hasNext() ? chain.next().resolve(type, context, chain) : null;
            Class<?> raw = Json.mapper().constructType(type.getType()).getRawClass();
            if (resolved == null || !raw.isRecord() || !raw.getPackageName().startsWith("dev.ferry")) {
                return resolved;
            }
            Schema<?> model = resolved.get$ref() == null ? resolved
                    : context.getDefinedModels().get(resolved.get$ref().substring(resolved.get$ref().lastIndexOf('/') + 1));
            if (model == null || model.getProperties() == null) {
                return resolved;
            }
            for (RecordComponent component : raw.getRecordComponents()) {
                Schema<?> property = model.getProperties().get(component.getName());
                if (property != null && component.getAnnotatedType().isAnnotationPresent(Nullable.class)) {
                    model.getProperties().put(component.getName(), nullable(property));
                }
            }
            return resolved;
        }

        private static Schema<?> nullable(Schema<?> property) {
            if (property.get$ref() != null) {
                Schema<?> either = new Schema<>();
                either.addOneOfItem(new Schema<>().$ref(property.get$ref()));
                Schema<?> none = new Schema<>();
                none.addType("null");
                either.addOneOfItem(none);
                return either;
            }
            if (property.getTypes() == null && property.getType() != null) {
                property.addType(property.getType());
            }
            if (property.getTypes() != null) {
                property.addType("null");
            }
            return property;
        }
    }
}
