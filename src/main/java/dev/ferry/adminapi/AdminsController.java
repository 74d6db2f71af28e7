package dev.ferry.adminapi;

import dev.ferry.admins.AdminAccounts;
import dev.ferry.admins.AdminView;
import dev.ferry.shared.InvalidInputException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
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

/** /api/v1/admins: accounts of this API (ADMIN or AUDITOR); translates HTTP to {@link AdminAccounts}. */
@RestController
@RequestMapping("/api/v1/admins")
@Tag(name = "admins", description = "Accounts of the admin API: ADMINs change everything, AUDITORs read everything; "
        + "listed by username")
class AdminsController extends ListedResource<AdminView> {

    private final AdminAccounts admins;
    private final ObjectMapper json;

    AdminsController(AdminAccounts admins, ObjectMapper json, AdminAudit audit) {
        super(audit, admins::list);
        this.admins = admins;
        this.json = json;
    }

    @PostMapping
    @Operation(summary = "Create an admin account: username, password (12 to 1024 characters), role ADMIN or AUDITOR")
    ResponseEntity<AdminView> create(@RequestBody @io.swagger.v3.oas.annotations.parameters.RequestBody(
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = AdminRequest.class))) JsonNode body, UriComponentsBuilder uri) {
        AdminRequest request = read(body);
        AdminView created = admins.create(request.username(), request.password(), request.role());
        audit(created.username(), "created admin " + created.username() + " with role " + created.role());
        return created(uri, "/{username}", created.username()).body(created);
    }

    @GetMapping("/{username}")
    AdminView get(@PathVariable String username) {
        return admins.get(username);
    }

    @PutMapping("/{username}")
    @Operation(summary = "Replace an admin's role and, if given, password; an omitted password keeps the current one")
    AdminView replace(@PathVariable String username, @RequestBody @io.swagger.v3.oas.annotations.parameters.RequestBody(
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = AdminRequest.class))) JsonNode body) {
        AdminRequest request = read(body);
        if (body.has("password") && body.get("password").isNull()) {
            throw new InvalidInputException("password", "an admin always has a password: leave password out to keep the current one");
        }
        AdminView before = admins.get(username);
        AdminView after = admins.replace(username, request.username(), request.password(), request.role());
        String role = before.role() == after.role() ? "role " + after.role() + " unchanged" : "role " + before.role() + " -> " + after.role();
        audit(after.username(), "replaced admin " + after.username() + ": " + role
                + (request.password() == null ? "" : "; password changed"));
        return after;
    }

    @DeleteMapping("/{username}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Delete an admin account; not one's own, nor the last ADMIN")
    void delete(@PathVariable String username, Principal principal) {
        AdminView deleted = admins.delete(username, principal.getName());
        audit(deleted.username(), "deleted admin " + deleted.username() + " (role " + deleted.role() + ")");
    }

    private AdminRequest read(JsonNode body) {
        return readObject(json, body, AdminRequest.class, ": {\"username\", \"password\", \"role\"}");
    }
}
