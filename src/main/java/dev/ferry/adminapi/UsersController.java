package dev.ferry.adminapi;

import dev.ferry.shared.InvalidInputException;
import dev.ferry.users.KeyView;
import dev.ferry.users.PasswordChange;
import dev.ferry.users.UserPage;
import dev.ferry.users.UserKeys;
import dev.ferry.users.UserService;
import dev.ferry.users.UserView;
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
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** /api/v1/users and their keys: translates HTTP to {@link UserService} and back. */
@RestController
@RequestMapping("/api/v1/users")
@Tag(name = "users", description = "SFTP accounts and their SSH keys")
class UsersController extends AuditedResource {

    private final UserService users;
    private final UserKeys keys;
    private final ObjectMapper json;

    UsersController(UserService users, UserKeys keys, ObjectMapper json, AdminAudit audit) {
        super(audit);
        this.users = users;
        this.keys = keys;
        this.json = json;
    }

    @PostMapping
    @Operation(summary = "Create a user (and their home)")
    ResponseEntity<UserView> create(@RequestBody @io.swagger.v3.oas.annotations.parameters.RequestBody(
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = UserRequest.class))) JsonNode body, UriComponentsBuilder uri) {
        UserRequest request = read(body);
        UserView created = users.create(request.spec(), request.password(), request.publicKeys(), request.groups());
        audit(created.username(), "created user " + created.username() + ": " + AdminChanges.describe(created));
        return created(uri, "/{username}", created.username()).body(created);
    }

    @GetMapping
    @Operation(summary = "List users, filtered by a part of the name")
    UserPage list(@RequestParam(required = false) String q,
            @RequestParam(defaultValue = "0") @Paging.Page int page,
            @RequestParam(defaultValue = Paging.DEFAULT_SIZE) @Paging.Size int size) {
        Paging.requireReachable(page, size);
        return users.list(q, page, size);
    }

    @GetMapping("/{username}")
    UserView get(@PathVariable String username) {
        return users.get(username);
    }

    @PutMapping("/{username}")
    @Operation(summary = "Replace a user; an omitted password, publicKeys or groups keeps the current ones, a null password removes it")
    UserView replace(@PathVariable String username, @RequestBody @io.swagger.v3.oas.annotations.parameters.RequestBody(
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = UserRequest.class))) JsonNode body) {
        UserRequest request = read(body);
        PasswordChange password;
        if (!body.has("password")) {
            password = PasswordChange.keep();
        } else if (body.get("password").isNull()) {
            password = PasswordChange.remove();
        } else {
            password = PasswordChange.set(request.password());
        }
        List<String> keys = body.has("publicKeys") && !body.get("publicKeys").isNull() ? request.publicKeys() : null;
        UserView before = users.get(username);
        List<String> groups = body.has("groups") && !body.get("groups").isNull() ? request.groups() : null;
        UserView after = users.replace(username, request.spec(), password, keys, groups);
        String passwordChange = password instanceof PasswordChange.Set ? "; password set"
                : password instanceof PasswordChange.Remove ? "; password removed" : "";
        audit(after.username(), "replaced user " + after.username() + ": "
                + AdminChanges.diff(before, after) + passwordChange);
        return after;
    }

    @DeleteMapping("/{username}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Delete a user; files are kept unless purge=true")
    void delete(@PathVariable String username, @RequestParam(defaultValue = "false") boolean purge) {
        UserView before = users.get(username);
        users.delete(username, purge);
        audit(before.username(), "deleted user " + before.username() + (purge ? " and purged the home" : ", files kept"));
    }

    @GetMapping("/{username}/keys")
    List<KeyView> keys(@PathVariable String username) {
        return keys.keys(username);
    }

    @PostMapping("/{username}/keys")
    @Operation(summary = "Add a key: {\"publicKey\": \"ssh-ed25519 AAAA...\", \"label\": \"laptop\", \"expiresAt\": \"2027-01-01T00:00:00Z\"}; "
            + "label and expiresAt are optional, an expired key cannot log in")
    ResponseEntity<KeyView> addKey(@PathVariable String username, @RequestBody KeyRequest request, UriComponentsBuilder uri) {
        if (request == null || request.publicKey() == null) {
            throw new InvalidInputException("publicKey", "publicKey is required: one line like 'ssh-ed25519 AAAAC3Nz... comment'");
        }
        KeyView key = keys.addKey(username, request.publicKey(), request.label(),
                request.expiresAt() == null ? null : request.expiresAt().toInstant());
        audit(username + "/keys/" + key.id(), "added key " + key.fingerprint() + " (" + key.type() + ") to " + username);
        return created(uri, "/{username}/keys/{id}", username, key.id()).body(key);
    }

    @DeleteMapping("/{username}/keys/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void deleteKey(@PathVariable String username, @PathVariable long id) {
        KeyView removed = keys.keys(username).stream().filter(k -> k.id() == id).findFirst().orElse(null);
        keys.deleteKey(username, id);
        audit(username + "/keys/" + id, "removed key "
                + (removed == null ? String.valueOf(id) : removed.fingerprint()) + " from " + username);
    }

    private UserRequest read(JsonNode body) {
        return readObject(json, body, UserRequest.class, " describing the user");
    }
}
