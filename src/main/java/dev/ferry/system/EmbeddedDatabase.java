package dev.ferry.system;

import org.springframework.core.env.PropertyResolver;
import org.springframework.util.StringUtils;

/** Whether Ferry runs its own PostgreSQL: when no {@code spring.datasource.url} is set. */
public final class EmbeddedDatabase {

    private EmbeddedDatabase() {
    }

    public static boolean isSelected(PropertyResolver environment) {
        return !StringUtils.hasText(environment.getProperty("spring.datasource.url"));
    }
}
