package dev.ferry.adminapi;

import dev.ferry.events.EventRuleSpec;
import dev.ferry.events.EventRuleView;
import dev.ferry.events.EventRules;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * /api/v1/event-rules: which audited actions are delivered where (webhooks, Kafka). A webhook's
 * secret is write-only: a generated one is in the answer to the change that made it, that once.
 */
@RestController
@RequestMapping("/api/v1/event-rules")
@Tag(name = "events", description = "File events: rules, and the deliveries they make (at least once, in order per file); "
        + "a rule's webhook secrets are never listed or read (secretSet says one is set)")
class EventRulesController extends NumberedResource<EventRuleView> {

    private final EventRules rules;

    EventRulesController(EventRules rules, AdminAudit audit) {
        super(audit, rules::list, rules::get);
        this.rules = rules;
    }

    @PostMapping
    @Operation(summary = "Create an event rule; a webhook secret left out is generated and shown in this answer only")
    ResponseEntity<EventRuleView> create(@RequestBody EventRuleSpec spec, UriComponentsBuilder uri) {
        EventRules.Change change = rules.create(spec);
        audit(change.rule().id(), change.auditDetail());
        return created(uri, "/{id}", change.rule().id()).cacheControl(CacheControl.noStore()).body(change.rule());
    }

    @PutMapping("/{id}")
    @Operation(summary = "Replace an event rule; a webhook action without secret keeps the one it had at its place")
    ResponseEntity<EventRuleView> update(@PathVariable long id, @RequestBody EventRuleSpec spec) {
        EventRules.Change change = rules.update(id, spec);
        audit(id, change.auditDetail());
        return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(change.rule());
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Delete an event rule and its deliveries (pending ones are not sent)")
    void delete(@PathVariable long id) {
        EventRules.Change change = rules.delete(id);
        audit(id, change.auditDetail());
    }
}
