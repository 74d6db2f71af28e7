package dev.ferry.adminapi;

import dev.ferry.retention.RetentionReport;
import dev.ferry.retention.RetentionRounds;
import dev.ferry.retention.RetentionRule;
import dev.ferry.retention.RetentionRules;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * /api/v1/retention-rules: files older than N days under a path, of one user or all, deleted hourly.
 * The preview (GET, so AUDITORs may look) lists what a run would delete; a run deletes it now.
 */
@RestController
@RequestMapping("/api/v1/retention-rules")
@Tag(name = "retention-rules", description = "Delete files older than N days under a path, hourly, audited as DELETE by the system")
class RetentionRulesController extends NumberedResource<RetentionRule> {

    static final String DEFAULT_LIST = "100";

    private final RetentionRules rules;
    private final RetentionRounds rounds;

    RetentionRulesController(RetentionRules rules, RetentionRounds rounds, AdminAudit audit) {
        super(audit, rules::list, rules::get);
        this.rules = rules;
        this.rounds = rounds;
    }

    @PostMapping
    @Operation(summary = "Create a retention rule; it takes effect with the next round, on every replica")
    ResponseEntity<RetentionRule> create(@RequestBody(required = false) RetentionRuleRequest request, UriComponentsBuilder uri) {
        RetentionRule created = rules.create(request == null ? null : request.spec());
        audit(created.id(), "created " + describe(created));
        return created(uri, "/{id}", created.id()).body(created);
    }

    @PutMapping("/{id}")
    @Operation(summary = "Replace a retention rule")
    RetentionRule replace(@PathVariable long id, @RequestBody(required = false) RetentionRuleRequest request) {
        RetentionRule before = rules.get(id);
        RetentionRule after = rules.replace(id, request == null ? null : request.spec());
        audit(after.id(), "replaced " + describe(before) + " with " + describe(after));
        return after;
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable long id) {
        RetentionRule deleted = rules.delete(id);
        audit(deleted.id(), "deleted " + describe(deleted));
    }

    @GetMapping("/{id}/preview")
    @Operation(summary = "Dry run: the files the rule would delete now (up to size of them listed, all counted); changes nothing")
    RetentionReport preview(@PathVariable long id, @RequestParam(defaultValue = DEFAULT_LIST) @Paging.Size int size) {
        return rounds.preview(id, size);
    }

    @PostMapping("/{id}/run")
    @Operation(summary = "Run the rule now (enabled or not): the files it deleted (up to size of them listed, all counted); "
            + "409 while a round runs")
    RetentionReport run(@PathVariable long id, @RequestParam(defaultValue = DEFAULT_LIST) @Paging.Size int size) {
        RetentionReport report = rounds.runNow(id, size);
        audit(report.ruleId() + "/run", "ran retention rule '" + report.rule() + "': deleted " + report.totalFiles()
                + " files (" + report.totalBytes() + " bytes) last modified before " + report.olderThan()
                + (report.failures().isEmpty() ? "" : ", " + report.failures().size() + " failures"));
        return report;
    }

    private static String describe(RetentionRule rule) {
        return "retention rule " + rule.id() + " '" + rule.name() + "' (" + (rule.enabled() ? "enabled" : "disabled")
                + "): files older than " + rule.days() + " days under " + rule.path() + " of "
                + (rule.username() == null ? "every user" : rule.username());
    }
}
