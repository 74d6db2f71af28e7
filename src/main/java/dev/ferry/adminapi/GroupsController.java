package dev.ferry.adminapi;

import dev.ferry.groups.GroupService;
import dev.ferry.groups.GroupView;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** /api/v1/groups: translates HTTP to {@link GroupService} and back; every change is audited. */
@RestController
@RequestMapping("/api/v1/groups")
@Tag(name = "groups", description = "Settings that users inherit: a user's own value wins, then the first of the user's groups "
        + "that sets it; permissions are combined per path. Listed by name; a group with members cannot be deleted.")
class GroupsController extends ListedResource<GroupView> {

    private static final AuditedFields<GroupView> FIELDS = AuditedFields.<GroupView>builder()
            .field("permissions", GroupView::permissions)
            .field("quota", GroupView::quota)
            .field("allowedIps", GroupView::allowedIps)
            .field("maxSessions", GroupView::maxSessions)
            .field("bandwidth", GroupView::bandwidth)
            .field("storage", GroupView::storage)
            .build();

    private final GroupService groups;
    private final ObjectMapper json;

    GroupsController(GroupService groups, ObjectMapper json, AdminAudit audit) {
        super(audit, groups::list);
        this.groups = groups;
        this.json = json;
    }

    @PostMapping
    @Operation(summary = "Create a group")
    ResponseEntity<GroupView> create(@RequestBody @io.swagger.v3.oas.annotations.parameters.RequestBody(
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = GroupRequest.class))) JsonNode body,
            UriComponentsBuilder uri) {
        GroupView created = groups.create(read(body).spec());
        audit(created.name(), "created group " + created.name() + ": " + describe(created));
        return created(uri, "/{name}", created.name()).body(created);
    }

    @GetMapping("/{name}")
    GroupView get(@PathVariable String name) {
        return groups.get(name);
    }

    @PutMapping("/{name}")
    @Operation(summary = "Replace a group; its members follow at their next login, open sessions within seconds")
    GroupView replace(@PathVariable String name, @RequestBody @io.swagger.v3.oas.annotations.parameters.RequestBody(
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = GroupRequest.class))) JsonNode body) {
        GroupRequest request = read(body);
        GroupView before = groups.get(name);
        GroupView after = groups.replace(name, request.spec());
        audit(after.name(), "replaced group " + after.name() + ": " + diff(before, after));
        return after;
    }

    @DeleteMapping("/{name}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Delete a group without members (a group with members is refused with 409, naming them)")
    void delete(@PathVariable String name) {
        GroupView before = groups.get(name);
        groups.delete(name);
        audit(before.name(), "deleted group " + before.name());
    }

    private GroupRequest read(JsonNode body) {
        return readObject(json, body, GroupRequest.class, " describing the group");
    }

    private static String describe(GroupView group) {
        return String.join(", ", FIELDS.describe(group));
    }

    private static String diff(GroupView before, GroupView after) {
        return AuditedFields.joined(FIELDS.changes(before, after));
    }
}
