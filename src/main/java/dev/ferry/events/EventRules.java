package dev.ferry.events;

import dev.ferry.audit.AuditType;
import dev.ferry.shared.AccountNames;
import dev.ferry.shared.ConflictException;
import dev.ferry.shared.InvalidInputException;
import dev.ferry.shared.NotFoundException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.PreparedStatementCallback;
import org.springframework.stereotype.Service;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The event rules: validated, stored in {@code event_rules} with their path globs compiled for the
 * trigger that matches audit records (V14), so a change is in force for the next record on every
 * replica, without a restart or a cache to refresh.
 */
@Service
public class EventRules {

    /** The audit types: a rule matches records of these types (QUOTA_EXCEEDED is an upload refused for the quota). */
    public static final Set<String> EVENT_TYPES;

    static {
        Set<String> types = new TreeSet<>();
        for (AuditType type : AuditType.values()) {
            types.add(type.name());
        }
        EVENT_TYPES = Set.copyOf(types);
    }

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final int MAX_ITEMS = 100;
    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<Map<String, Object>> ACTION_MAP = new TypeReference<>() {
    };
    private static final String COLUMNS = "id, name, enabled, events, usernames, groups, paths, min_size, actions::text as actions, "
            + "created_at, updated_at";

    /**
     * A change made: the rule as the answer shows it (with a secret generated for it, this once) and
     * what the audit record says of it.
     */
    public record Change(EventRuleView rule, String auditDetail) {
    }

    private final JdbcTemplate jdbc;
    private final EventActions actions;

    EventRules(JdbcTemplate jdbc, EventActions actions) {
        this.jdbc = jdbc;
        this.actions = actions;
    }

    public List<EventRuleView> list() {
        return jdbc.query("select " + COLUMNS + " from event_rules order by name", (rs, n) -> view(row(rs), null));
    }

    public EventRuleView get(long id) {
        return view(stored(id), null);
    }

    /** The id of the rule with this name, or null. */
    public Long idOf(String name) {
        List<Long> ids = jdbc.queryForList("select id from event_rules where name = ?", Long.class, name);
        return ids.isEmpty() ? null : ids.get(0);
    }

    public Change create(EventRuleSpec spec) {
        Checked checked = check(spec, null);
        long id = write(checked, "insert into event_rules (name, enabled, events, usernames, groups, paths, path_regexes, min_size, "
                + "actions) values (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb) returning id", ps -> {
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        return rs.getLong(1);
                    }
                });
        EventRuleView created = view(stored(id), checked.shownOnce);
        return new Change(created, "created event rule " + id + " '" + created.name() + "': " + created.summary(descriptions(stored(id))));
    }

    public Change update(long id, EventRuleSpec spec) {
        Stored before = stored(id);
        Checked checked = check(spec, before);
        int updated = write(checked, "update event_rules set name = ?, enabled = ?, events = ?, usernames = ?, groups = ?, paths = ?, "
                + "path_regexes = ?, min_size = ?, actions = ?::jsonb, updated_at = now() where id = ?", ps -> {
                    ps.setLong(10, id);
                    return ps.executeUpdate();
                });
        if (updated == 0) {
            throw notFound(id);
        }
        Stored after = stored(id);
        EventRuleView view = view(after, checked.shownOnce);
        EventRuleView old = view(before, null);
        return new Change(view, "updated event rule " + id + " '" + view.name() + "': " + old.summary(descriptions(before)) + " -> "
                + view.summary(descriptions(after)));
    }

    public Change delete(long id) {
        Stored before = stored(id);
        jdbc.update("delete from event_rules where id = ?", id);
        EventRuleView view = view(before, null);
        return new Change(view, "deleted event rule " + id + " '" + view.name() + "' and its deliveries");
    }

    /** The validated spec, ready to store. */
    private record Checked(String name, boolean enabled, List<String> events, List<String> usernames, List<String> paths,
            List<String> regexes, Long minSize, ArrayNode actions, List<ObjectNode> shownOnce) {
    }

    private Checked check(EventRuleSpec spec, Stored previous) {
        if (spec == null) {
            throw new InvalidInputException(null, "the request body must be a JSON object: {\"name\", \"events\", \"actions\", ...}");
        }
        if (spec.name() == null || !NAME.matcher(spec.name()).matches() || spec.name().matches("[0-9]+")) {
            throw new InvalidInputException("name", "name is required: 1 to 128 of A-Z a-z 0-9 . _ -, not only digits");
        }
        List<String> events = distinct(spec.events(), "events");
        if (events.isEmpty()) {
            throw new InvalidInputException("events", "events must name at least one of " + EVENT_TYPES);
        }
        for (int i = 0; i < events.size(); i++) {
            if (!EVENT_TYPES.contains(events.get(i))) {
                throw new InvalidInputException("events[" + i + "]", "events[" + i + "]: unknown event type '"
                        + AccountNames.printable(events.get(i)) + "'; known: " + EVENT_TYPES);
            }
        }
        List<String> usernames = new ArrayList<>();
        List<String> givenNames = distinct(spec.usernames(), "usernames");
        for (int i = 0; i < givenNames.size(); i++) {
            if (!AccountNames.isValid(givenNames.get(i))) {
                throw new InvalidInputException("usernames[" + i + "]", "usernames[" + i + "]: '" + AccountNames.printable(givenNames.get(i))
                        + "' is not a username (2 to 64 of A-Z a-z 0-9 . _ -)");
            }
            usernames.add(givenNames.get(i).toLowerCase(Locale.ROOT));
        }
        if (spec.groups() != null && !spec.groups().isEmpty()) {
            throw new InvalidInputException("groups", "groups must be empty: event rules cannot match user groups yet; list the "
                    + "group's members in usernames");
        }
        List<String> paths = distinct(spec.paths(), "paths");
        List<String> regexes = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) {
            regexes.add(requireCompiles(PathGlob.toRegex(paths.get(i), "paths[" + i + "]"), "paths[" + i + "]"));
        }
        if (spec.minSize() != null && spec.minSize() < 0) {
            throw new InvalidInputException("minSize", "minSize is a number of bytes, 0 or more");
        }
        if (spec.actions() == null || spec.actions().isEmpty()) {
            throw new InvalidInputException("actions", "actions must list at least one action: {\"type\": \"webhook\", \"url\": ...} or "
                    + "{\"type\": \"kafka\", \"topic\": ...}");
        }
        if (spec.actions().size() > 20) {
            throw new InvalidInputException("actions", "a rule has at most 20 actions");
        }
        ArrayNode stored = JSON.createArrayNode();
        List<ObjectNode> shownOnce = new ArrayList<>();
        for (int i = 0; i < spec.actions().size(); i++) {
            String field = "actions[" + i + "]";
            JsonNode given = spec.actions().get(i);
            if (given == null || !given.isObject()) {
                throw new InvalidInputException(field, field + " must be a JSON object with a type");
            }
            JsonNode type = given.get("type");
            EventAction action = type == null || !type.isString() ? null : actions.get(type.asString());
            if (action == null) {
                throw new InvalidInputException(field + ".type", field + ".type must be one of " + actions.types());
            }
            ObjectNode before = previous == null || i >= previous.actions.size() ? null : (ObjectNode) previous.actions.get(i);
            if (before != null && !action.type().equals(before.path("type").asString())) {
                before = null;
            }
            EventAction.Validated validated = action.validate((ObjectNode) given, before, field);
            stored.add(validated.stored());
            shownOnce.add(validated.shownOnce());
        }
        boolean enabled = spec.enabled() == null || spec.enabled();
        return new Checked(spec.name(), enabled, events, usernames, paths, regexes, spec.minSize(), stored, shownOnce);
    }

    /**
     * The regex, once PostgreSQL compiled it: a pattern it refused would make the trigger fail, and
     * with it the insert of every audit record.
     */
    private String requireCompiles(String regex, String field) {
        try {
            jdbc.queryForObject("select '/' ~ ?", Boolean.class, regex);
            return regex;
        } catch (DataAccessException e) {
            throw new InvalidInputException(field, field + ": PostgreSQL cannot use this glob (" + e.getMostSpecificCause().getMessage()
                    + ")");
        }
    }

    private static List<String> distinct(List<String> given, String field) {
        if (given == null) {
            return List.of();
        }
        if (given.size() > MAX_ITEMS) {
            throw new InvalidInputException(field, field + " has at most " + MAX_ITEMS + " entries");
        }
        for (int i = 0; i < given.size(); i++) {
            if (given.get(i) == null) {
                throw new InvalidInputException(field + "[" + i + "]", field + "[" + i + "] must not be null");
            }
        }
        return List.copyOf(new LinkedHashSet<>(given));
    }

    /** Runs {@code sql} with the rule's nine columns bound, then {@code then}; a name taken answers 409. */
    private <T> T write(Checked checked, String sql, PreparedStatementCallback<T> then) {
        try {
            return jdbc.execute((Connection c) -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    bind(c, ps, checked);
                    return then.doInPreparedStatement(ps);
                }
            });
        } catch (DuplicateKeyException e) {
            throw duplicate(checked.name);
        }
    }

    private static void bind(Connection c, PreparedStatement ps, Checked checked) throws SQLException {
        ps.setString(1, checked.name);
        ps.setBoolean(2, checked.enabled);
        ps.setArray(3, c.createArrayOf("text", checked.events.toArray()));
        ps.setArray(4, c.createArrayOf("text", checked.usernames.toArray()));
        ps.setArray(5, c.createArrayOf("text", new Object[0]));
        ps.setArray(6, c.createArrayOf("text", checked.paths.toArray()));
        ps.setArray(7, c.createArrayOf("text", checked.regexes.toArray()));
        if (checked.minSize == null) {
            ps.setNull(8, Types.BIGINT);
        } else {
            ps.setLong(8, checked.minSize);
        }
        ps.setString(9, JSON.writeValueAsString(checked.actions));
    }

    /** A row of event_rules. */
    record Stored(long id, String name, boolean enabled, List<String> events, List<String> usernames, List<String> groups,
            List<String> paths, Long minSize, ArrayNode actions, java.time.Instant createdAt, java.time.Instant updatedAt) {
    }

    Stored stored(long id) {
        List<Stored> rows = jdbc.query("select " + COLUMNS + " from event_rules where id = ?", (rs, n) -> row(rs), id);
        if (rows.isEmpty()) {
            throw notFound(id);
        }
        return rows.get(0);
    }

    private static Stored row(ResultSet rs) throws SQLException {
        long minSizeValue = rs.getLong("min_size");
        Long minSize = rs.wasNull() ? null : minSizeValue; // wasNull speaks of the last column read: ask it now
        return new Stored(rs.getLong("id"), rs.getString("name"), rs.getBoolean("enabled"), strings(rs.getArray("events")),
                strings(rs.getArray("usernames")), strings(rs.getArray("groups")), strings(rs.getArray("paths")),
                minSize, (ArrayNode) JSON.readTree(rs.getString("actions")),
                rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant());
    }

    private static List<String> strings(Array array) throws SQLException {
        return array == null ? List.of() : Arrays.stream((Object[]) array.getArray()).map(String::valueOf).toList();
    }

    private EventRuleView view(Stored rule, List<ObjectNode> shownOnce) {
        List<Map<String, Object>> views = new ArrayList<>();
        for (int i = 0; i < rule.actions.size(); i++) {
            ObjectNode stored = (ObjectNode) rule.actions.get(i);
            EventAction action = actions.get(stored.path("type").asString());
            ObjectNode view = action == null ? stored.deepCopy() : action.view(stored);
            if (shownOnce != null && i < shownOnce.size() && shownOnce.get(i) != null) {
                view.setAll(shownOnce.get(i));
            }
            views.add(JSON.convertValue(view, ACTION_MAP));
        }
        return new EventRuleView(rule.id, rule.name, rule.enabled, rule.events, rule.usernames, rule.groups, rule.paths, rule.minSize,
                views, rule.createdAt, rule.updatedAt);
    }

    private List<String> descriptions(Stored rule) {
        List<String> out = new ArrayList<>();
        for (JsonNode stored : rule.actions) {
            EventAction action = actions.get(stored.path("type").asString());
            out.add(action == null ? stored.path("type").asString() : action.describe((ObjectNode) stored));
        }
        return out;
    }

    private static ConflictException duplicate(String name) {
        return new ConflictException("name", "an event rule named '" + name + "' exists already");
    }

    private static NotFoundException notFound(long id) {
        return new NotFoundException("no event rule with id " + id);
    }
}
