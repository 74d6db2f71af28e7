package dev.ferry.adminapi;

import dev.ferry.events.DeliveryPage;
import dev.ferry.events.DeliveryView;
import dev.ferry.events.EventDeliveries;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** /api/v1/event-deliveries: the outbox's history (status, attempts, latency, last answer) and replays. */
@RestController
@RequestMapping("/api/v1/event-deliveries")
@Tag(name = "events")
class EventDeliveriesController extends AuditedResource {

    private final EventDeliveries deliveries;

    EventDeliveriesController(EventDeliveries deliveries, AdminAudit audit) {
        super(audit);
        this.deliveries = deliveries;
    }

    @GetMapping
    @Operation(summary = "List deliveries, newest first; rule is a rule's id or name, status pending, delivered or dead")
    DeliveryPage list(@RequestParam(required = false) String rule, @RequestParam(required = false) String status,
            @RequestParam(defaultValue = "0") @Paging.Page int page,
            @RequestParam(defaultValue = Paging.DEFAULT_SIZE) @Paging.Size int size) {
        Paging.requireReachable(page, size);
        return deliveries.list(rule, status, page, size);
    }

    @GetMapping("/{id}")
    DeliveryView get(@PathVariable long id) {
        return deliveries.get(id);
    }

    @PostMapping("/{id}/retry")
    @Operation(summary = "Retry a dead or pending delivery now (with a fresh retry window), or send a delivered one again as a new delivery")
    DeliveryView retry(@PathVariable long id) {
        DeliveryView retried = deliveries.retry(id);
        audit(id, retried.id() == id ? "retried event delivery " + id + " (event " + retried.eventId() + ", rule '"
                + retried.rule() + "')" : "sent event delivery " + id + " again as delivery " + retried.id() + " (event "
                + retried.eventId() + ", rule '" + retried.rule() + "')");
        return retried;
    }

    @PostMapping("/retry")
    @Operation(summary = "Retry every dead (status=dead, the default) or pending delivery, of one rule or all; answers how many")
    Map<String, Integer> retryAll(@RequestParam(required = false) String rule, @RequestParam(required = false) String status) {
        int retried = deliveries.retryAll(rule, status);
        auditCollection("retried " + retried + " " + (status == null ? "dead" : status) + " event deliveries"
                + (rule == null ? "" : " of rule " + rule));
        return Map.of("retried", retried);
    }
}
