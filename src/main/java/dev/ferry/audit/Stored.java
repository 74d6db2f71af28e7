package dev.ferry.audit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** How a field of {@link AuditEvent} is stored, where the defaults do not say it; read by {@link AuditFields}. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
@interface Stored {

    /** Its column in {@code audit_events}; by default the field's name in snake_case. */
    String column() default "";

    /** The text column's size in characters: longer text is cut to it before the record is hashed. */
    int size() default 0;

    /**
     * The version of the record's format that added the field: 1 for those Ferry started with. A
     * later field must be nullable (records written before it have none); it enters the hash only
     * when it has a value, so records written before it keep their hash (see {@link AuditChain}).
     */
    int since() default 1;
}
