package dev.ferry.adminapi;

import dev.ferry.shared.FieldException;
import dev.ferry.shared.InvalidInputException;
import dev.ferry.shared.NotFoundException;
import dev.ferry.users.UserService;
import dev.ferry.users.UserView;
import io.swagger.v3.oas.annotations.Operation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Many users at once: created from a CSV file, or enabled, disabled or deleted by name. Each row or
 * name succeeds or fails on its own, exactly as the single-user endpoint would (same checks, same
 * audit record), and the answer reports every one with the reason of a failure; nothing is undone
 * because another row failed, so a corrected file can be sent again for the failed rows.
 */
@RestController
@RequestMapping("/api/v1/users")
class UsersBulkController extends AuditedResource {

    private static final Logger log = LoggerFactory.getLogger(UsersBulkController.class);
    static final int MAX_ROWS = 10_000;
    private static final Set<String> ACTIONS = Set.of("enable", "disable", "delete");

    private final UserService users;
    private final ObjectMapper json;

    UsersBulkController(UserService users, ObjectMapper json, AdminAudit audit) {
        super(audit);
        this.users = users;
        this.json = json;
    }

    @PostMapping(path = "/import", consumes = {"text/csv", "text/plain"})
    @Operation(summary = "Create users from CSV: a header row naming the columns username (required), publicKey (one "
            + "OpenSSH key) and groups (names separated by ';'), then one user per row; every row is created or reported "
            + "failed with its reason (an existing username fails)")
    BulkReport importCsv(@RequestBody(required = false) String csv) {
        List<UserCsv.Row> rows = UserCsv.read(csv, MAX_ROWS);
        List<BulkReport.Result> results = new ArrayList<>(rows.size());
        for (UserCsv.Row row : rows) {
            results.add(asColumn(attempt(row.line(), row.username(), "created", username -> {
                ObjectNode user = json.createObjectNode().put("username", username);
                if (row.publicKey() != null) {
                    user.putArray("publicKeys").add(row.publicKey());
                }
                if (!row.groups().isEmpty()) {
                    row.groups().forEach(user.putArray("groups")::add);
                }
                UserRequest request = json.treeToValue(user, UserRequest.class);
                UserView created = users.create(request.spec(), null, request.publicKeys(), request.groups());
                audit(created.username(), "created user " + created.username() + " (CSV import, row " + row.line() + "): "
                        + AdminChanges.describe(created));
                return created.username();
            })));
        }
        BulkReport report = BulkReport.of(results);
        log.info("CSV import: {} users created, {} rows failed", report.succeeded(), report.failed());
        return report;
    }

    @PostMapping("/bulk")
    @Operation(summary = "Enable, disable or delete many users: {\"action\": \"disable\", \"usernames\": [\"a\", \"b\"]}; "
            + "delete keeps the files unless \"purge\": true. Each name is done or reported failed with its reason")
    BulkReport bulk(@RequestBody(required = false) BulkUsersRequest request) {
        String action = request == null || request.action() == null ? null : request.action().toLowerCase(Locale.ROOT);
        if (action == null || !ACTIONS.contains(action)) {
            throw new InvalidInputException("action", "action must be one of enable, disable or delete");
        }
        List<String> names = request.usernames();
        if (names == null || names.isEmpty() || names.size() > MAX_ROWS) {
            throw new InvalidInputException("usernames", "usernames must list 1 to " + MAX_ROWS + " users");
        }
        boolean purge = Boolean.TRUE.equals(request.purge());
        List<BulkReport.Result> results = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            String status = action.equals("delete") ? "deleted" : action + "d";
            results.add(attempt(i + 1, names.get(i), status, username -> switch (action) {
                case "delete" -> {
                    UserView before = users.get(username);
                    users.delete(before.username(), purge);
                    audit(before.username(), "deleted user " + before.username() + (purge ? " and purged the home" : ", files kept")
                            + " (bulk)");
                    yield before.username();
                }
                default -> {
                    UserView after = users.setEnabled(username, action.equals("enable"));
                    audit(after.username(), action + "d user " + after.username() + " (bulk)");
                    yield after.username();
                }
            }));
        }
        BulkReport report = BulkReport.of(results);
        log.info("Bulk {}: {} users done, {} failed", action, report.succeeded(), report.failed());
        return report;
    }

    /** A refused field named as the file's column: the one key of a row is publicKey, the user's publicKeys[0]. */
    private static BulkReport.Result asColumn(BulkReport.Result result) {
        return result.field() != null && result.field().startsWith("publicKeys")
                ? new BulkReport.Result(result.row(), result.username(), result.status(), "publicKey", result.message())
                : result;
    }

    /** One row or name: done (with the stored spelling of the name), or failed with the reason a single request would get. */
    private static BulkReport.Result attempt(long row, String username, String status, Function<String, String> work) {
        if (username == null || username.isBlank()) {
            return new BulkReport.Result(row, username, "failed", "username", "username is required");
        }
        try {
            return new BulkReport.Result(row, work.apply(username), status, null, null);
        } catch (FieldException e) {
            return new BulkReport.Result(row, username, "failed", e.field(), e.getMessage());
        } catch (NotFoundException e) {
            return new BulkReport.Result(row, username, "failed", "username", e.getMessage());
        } catch (JacksonException e) {
            return new BulkReport.Result(row, username, "failed", null, e.getOriginalMessage());
        } catch (RuntimeException e) {
            log.warn("Bulk operation on row {} failed", row, e);
            return new BulkReport.Result(row, username, "failed", null, "failed on the server (" + e.getClass().getSimpleName()
                    + "): see the server log");
        }
    }
}
