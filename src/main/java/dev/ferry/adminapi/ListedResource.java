package dev.ferry.adminapi;

import io.swagger.v3.oas.annotations.Operation;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * An audited collection listed as its module keeps it: GET answers every member, in the module's order.
 * Admins, bans and the numbered collections ({@link NumberedResource}) are listed alike; the read is
 * written once here, so each controller holds only what changes a member and how that is audited. What
 * a listed member shows or leaves out (an order, secrets) is said in the controller's {@code @Tag},
 * which the list and every other operation of the collection share.
 */
abstract class ListedResource<V> extends AuditedResource {

    private final Supplier<List<V>> all;

    /** @param all every member, in the module's order */
    ListedResource(AdminAudit audit, Supplier<List<V>> all) {
        super(audit);
        this.all = all;
    }

    @GetMapping
    @Operation(summary = "List the collection")
    List<V> list() {
        return all.get();
    }
}
