package dev.ferry.adminapi;

import java.util.List;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;

/**
 * A listed collection whose members are numbered: GET /{id} reads one as its module keeps it (the
 * module's {@code NotFoundException} answers 404). API tokens, event rules and retention rules are read
 * alike; written once here, next to the list ({@link ListedResource}).
 */
abstract class NumberedResource<V> extends ListedResource<V> {

    private final LongFunction<V> byId;

    /**
     * @param all  every member, in the module's order
     * @param byId one member, or the module's {@code NotFoundException}
     */
    NumberedResource(AdminAudit audit, Supplier<List<V>> all, LongFunction<V> byId) {
        super(audit, all);
        this.byId = byId;
    }

    @GetMapping("/{id}")
    V get(@PathVariable long id) {
        return byId.apply(id);
    }
}
