package dev.ferry.adminapi;

import java.time.temporal.Temporal;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.deser.ValueDeserializerModifier;
import tools.jackson.databind.deser.std.DelegatingDeserializer;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.type.LogicalType;

/**
 * Request bodies must carry every value in its own JSON type: Jackson's default coercions would turn
 * {@code "username": 123} into the user "123", {@code "maxSessions": "3"} or {@code 1.5} into 3 or
 * 1, {@code "enabled": 1} into true, {@code ""} into null and {@code "expiresAt": 1700000000} into
 * a time read as seconds or milliseconds by guess. Each of these is refused instead, and
 * {@link ProblemDetailsAdvice} answers 400 naming the field and the type it takes. The rules are
 * Jackson's own (coercion configs, features); only times need a check of their own, as Jackson's
 * java.time readers take any number as a timestamp.
 */
@Configuration(proxyBeanMethods = false)
class StrictJsonTypes {

    @Bean
    JsonMapperBuilderCustomizer refuseJsonCoercions() {
        return builder -> builder
                // string -> number/boolean, number -> boolean, "" -> null for numbers, booleans and times
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                // 1.5 -> 1
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                // number or boolean -> string: not covered by the feature above
                .withCoercionConfig(LogicalType.Textual, strings -> strings
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .addModule(new SimpleModule("ferry-strict-times").setDeserializerModifier(new TimesOnlyFromStrings()));
    }

    /** ISO-8601 strings only for java.time values: a number would be read as epoch seconds (or milliseconds). */
    private static final class TimesOnlyFromStrings extends ValueDeserializerModifier {

        @Override
        public ValueDeserializer<?> modifyDeserializer(DeserializationConfig config, BeanDescription.Supplier bean,
                ValueDeserializer<?> deserializer) {
            return Temporal.class.isAssignableFrom(bean.getBeanClass()) ? new StringOnly(deserializer) : deserializer;
        }
    }

    private static final class StringOnly extends DelegatingDeserializer {

        StringOnly(ValueDeserializer<?> delegate) {
            super(delegate);
        }

        @Override
        protected ValueDeserializer<?> newDelegatingInstance(ValueDeserializer<?> delegate) {
            return new StringOnly(delegate);
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                return ctxt.handleUnexpectedToken(ctxt.constructType(handledType()), JsonToken.VALUE_STRING, p,
                        "a time must be an ISO-8601 string");
            }
            return super.deserialize(p, ctxt);
        }
    }
}
