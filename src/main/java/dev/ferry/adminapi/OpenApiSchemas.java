package dev.ferry.adminapi;

import dev.ferry.access.Permission;
import io.swagger.v3.core.converter.AnnotatedType;
import io.swagger.v3.core.converter.ModelConverter;
import io.swagger.v3.core.converter.ModelConverterContext;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.media.Schema;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What springdoc cannot see by itself in the description at {@code /v3/api-docs}, from which the admin
 * UI's TypeScript types are generated (admin-ui/openapi.json): which record components may be
 * {@code null} (JSpecify's {@code @Nullable}, a type annotation that springdoc does not read), and
 * the permission names a user's {@code permissions} take ({@link Permission}, so the UI's list
 * follows the enum).
 */
@Configuration(proxyBeanMethods = false)
class OpenApiSchemas {

    static final String PERMISSION_SCHEMA = "PermissionName";

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
