package dev.ferry.retention;

import dev.ferry.shared.AccountNames;
import dev.ferry.shared.ConflictException;
import dev.ferry.shared.InvalidInputException;
import dev.ferry.shared.NotFoundException;
import dev.ferry.users.UserService;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.util.List;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/** The retention rules in PostgreSQL: checked on every write, so a stored rule is always one the sweep can run. */
@Service
public class RetentionRules {

    static final int MAX_DAYS = 36_500;
    static final int MAX_NAME = 100;
    private static final String COLUMNS = "id, name, path, username, days, enabled, created_at, updated_at";

    private final JdbcTemplate jdbc;
    private final UserService users;

    RetentionRules(JdbcTemplate jdbc, UserService users) {
        this.jdbc = jdbc;
        this.users = users;
    }

    public List<RetentionRule> list() {
        return jdbc.query("select " + COLUMNS + " from retention_rules order by lower(name)", RetentionRules::row);
    }

    List<RetentionRule> enabled() {
        return jdbc.query("select " + COLUMNS + " from retention_rules where enabled order by id", RetentionRules::row);
    }

    public RetentionRule get(long id) {
        return jdbc.query("select " + COLUMNS + " from retention_rules where id = ?", RetentionRules::row, id).stream().findFirst()
                .orElseThrow(() -> new NotFoundException("there is no retention rule with id " + id));
    }

    public RetentionRule create(RetentionRuleSpec spec) {
        Checked c = check(spec);
        try {
            Long id = jdbc.queryForObject("insert into retention_rules (name, path, username, days, enabled) values (?, ?, ?, ?, ?) "
                    + "returning id", Long.class, c.name, c.path, c.username, c.days, c.enabled);
            return get(id);
        } catch (DuplicateKeyException e) {
            throw duplicate(c.name);
        }
    }

    public RetentionRule replace(long id, RetentionRuleSpec spec) {
        Checked c = check(spec);
        try {
            int updated = jdbc.update("update retention_rules set name = ?, path = ?, username = ?, days = ?, enabled = ?, "
                    + "updated_at = now() where id = ?", c.name, c.path, c.username, c.days, c.enabled, id);
            if (updated == 0) {
                throw new NotFoundException("there is no retention rule with id " + id);
            }
            return get(id);
        } catch (DuplicateKeyException e) {
            throw duplicate(c.name);
        }
    }

    public RetentionRule delete(long id) {
        RetentionRule rule = get(id);
        jdbc.update("delete from retention_rules where id = ?", id);
        return rule;
    }

    private record Checked(String name, String path, String username, int days, boolean enabled) {
    }

    private Checked check(RetentionRuleSpec spec) {
        if (spec == null) {
            throw new InvalidInputException(null,
                    "the request body must be a JSON object: {\"name\", \"path\", \"username\", \"days\", \"enabled\"}");
        }
        String name = spec.name() == null ? "" : spec.name().strip();
        if (name.isEmpty()) {
            throw new InvalidInputException("name", "name is required: a short name such as outbox-30d");
        }
        if (name.length() > MAX_NAME || name.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f) || RetentionPath.hasUnpairedSurrogate(name)) {
            throw new InvalidInputException("name", "name must be at most " + MAX_NAME + " characters, without control characters "
                    + "or unpaired UTF-16 surrogates");
        }
        RetentionPath.parse(spec.path());
        if (spec.days() == null) {
            throw new InvalidInputException("days", "days is required: files whose modification time is older than this many days "
                    + "are deleted");
        }
        if (spec.days() < 1 || spec.days() > MAX_DAYS) {
            throw new InvalidInputException("days", "days must be between 1 and " + MAX_DAYS + ", not " + spec.days());
        }
        String username = spec.username() == null || spec.username().isBlank() ? null : spec.username();
        if (username != null) {
            String asGiven = username;
            // as the user's name is spelled (names are unique regardless of case)
            username = users.findLoginAccount(username).map(dev.ferry.users.LoginAccount::username)
                    .orElseThrow(() -> new InvalidInputException("username", "there is no user named '" + AccountNames.printable(asGiven)
                            + "'; leave username out (or null) for a rule that applies to every user"));
        }
        return new Checked(name, spec.path(), username, spec.days(), spec.enabled() == null || spec.enabled());
    }

    private static ConflictException duplicate(String name) {
        return new ConflictException("name", "a retention rule named '" + name + "' exists already");
    }

    private static RetentionRule row(ResultSet rs, int i) throws SQLException {
        return new RetentionRule(rs.getLong("id"), rs.getString("name"), rs.getString("path"), rs.getString("username"),
                rs.getInt("days"), rs.getBoolean("enabled"),
                rs.getObject("created_at", java.time.OffsetDateTime.class).withOffsetSameInstant(ZoneOffset.UTC),
                rs.getObject("updated_at", java.time.OffsetDateTime.class).withOffsetSameInstant(ZoneOffset.UTC));
    }
}
