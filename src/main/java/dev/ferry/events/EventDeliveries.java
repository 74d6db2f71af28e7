package dev.ferry.events;

import dev.ferry.shared.InvalidInputException;
import dev.ferry.shared.NotFoundException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * The deliveries as admins see and steer them: the history per rule (status, attempts, latency,
 * the last answer) and retries, one or in bulk. A retried dead or pending delivery is due at once
 * with a fresh retry window; a delivered one is sent again as a new delivery of the same event
 * (same {@code Ferry-Event-Id}), for a receiver that lost what it took.
 */
@Service
public class EventDeliveries {

    public static final Set<String> STATUSES = Set.of("pending", "delivered", "dead");
    private static final String SELECT = "select d.id, d.event_id, d.rule_id, r.name, d.action_index, d.action_type, "
            + "d.payload ->> 'type' as event_type, d.payload ->> 'path' as path, d.status, d.attempts, d.created_at, d.next_attempt_at, "
            + "d.delivered_at, d.last_status, d.last_error from event_deliveries d join event_rules r on r.id = d.rule_id";

    private final JdbcTemplate jdbc;
    private final EventRules rules;

    EventDeliveries(JdbcTemplate jdbc, EventRules rules) {
        this.jdbc = jdbc;
        this.rules = rules;
    }

    /**
     * @param rule   a rule's id or name, or null for all
     * @param status pending, delivered or dead, or null for all
     */
    public DeliveryPage list(String rule, String status, int page, int size) {
        List<Object> args = new ArrayList<>();
        String where = where(rule, status, args);
        long total = jdbc.queryForObject("select count(*) from event_deliveries d" + where, Long.class, args.toArray());
        args.add(size);
        args.add((long) page * size);
        List<DeliveryView> content = jdbc.query(SELECT + where + " order by d.id desc limit ? offset ?", (rs, n) -> view(rs),
                args.toArray());
        return new DeliveryPage(content, page, size, total);
    }

    public DeliveryView get(long id) {
        List<DeliveryView> found = jdbc.query(SELECT + " where d.id = ?", (rs, n) -> view(rs), id);
        if (found.isEmpty()) {
            throw new NotFoundException("no event delivery with id " + id);
        }
        return found.get(0);
    }

    /** Makes a pending or dead delivery due now, or sends a delivered one again; answers the delivery that will be sent. */
    public DeliveryView retry(long id) {
        DeliveryView current = get(id);
        if (current.status().equals("delivered")) {
            Long copy = jdbc.queryForObject("insert into event_deliveries (event_id, rule_id, action_index, action_type, order_key, payload) "
                    + "select event_id, rule_id, action_index, action_type, order_key, payload from event_deliveries where id = ? "
                    + "returning id", Long.class, id);
            return get(copy);
        }
        // A pending one being sent keeps its lease: it is not sent twice at once.
        jdbc.update("update event_deliveries set status = 'pending', next_attempt_at = now(), retry_from = now(), "
                + "lease_until = case when status = 'dead' then null else lease_until end where id = ? and status in ('pending', 'dead')", id);
        notifyWorkers();
        return get(id);
    }

    /** Makes every dead (or pending) delivery, of one rule or all, due now; answers how many. */
    public int retryAll(String rule, String status) {
        String which = status == null ? "dead" : status;
        if (!which.equals("dead") && !which.equals("pending")) {
            throw new InvalidInputException("status", "status must be dead or pending for a bulk retry (a delivered event is sent "
                    + "again one by one: POST /api/v1/event-deliveries/{id}/retry)");
        }
        List<Object> args = new ArrayList<>();
        String where = where(rule, which, args);
        String update = "update event_deliveries d set status = 'pending', next_attempt_at = now(), retry_from = now(), "
                + "lease_until = case when status = 'dead' then null else lease_until end" + where;
        for (int attempt = 1;; attempt++) {
            try {
                int retried = jdbc.update(update, args.toArray());
                notifyWorkers();
                return retried;
            } catch (TransientDataAccessException e) {
                // PostgreSQL broke a deadlock with a worker's batch of outcomes by rolling this back: run it again
                if (attempt >= 5) {
                    throw e;
                }
            }
        }
    }

    /** Wakes the delivery workers of every replica: deliveries were made due without being inserted (which notifies by itself). */
    private void notifyWorkers() {
        jdbc.queryForList("select pg_notify('" + DeliveryNotifications.CHANNEL + "', '')");
    }

    private String where(String rule, String status, List<Object> args) {
        List<String> conditions = new ArrayList<>();
        if (rule != null && !rule.isBlank()) {
            conditions.add("d.rule_id = ?");
            args.add(ruleId(rule));
        }
        if (status != null && !status.isBlank()) {
            if (!STATUSES.contains(status)) {
                throw new InvalidInputException("status", "status must be one of pending, delivered, dead");
            }
            conditions.add("d.status = ?");
            args.add(status);
        }
        return conditions.isEmpty() ? "" : " where " + String.join(" and ", conditions);
    }

    private long ruleId(String rule) {
        if (rule.matches("[0-9]{1,18}")) {
            return Long.parseLong(rule);
        }
        if (!rule.matches("[A-Za-z0-9._-]{1,128}")) {
            throw new InvalidInputException("rule", "rule is a rule's id or name (A-Z a-z 0-9 . _ -)");
        }
        Long id = rules.idOf(rule);
        if (id == null) {
            throw new InvalidInputException("rule", "rule: no event rule is named '" + dev.ferry.shared.AccountNames.printable(rule) + "'");
        }
        return id;
    }

    private static DeliveryView view(ResultSet rs) throws SQLException {
        Instant created = instant(rs.getTimestamp("created_at"));
        Instant delivered = instant(rs.getTimestamp("delivered_at"));
        String status = rs.getString("status");
        int lastStatus = rs.getInt("last_status");
        Integer last = rs.wasNull() ? null : lastStatus;
        return new DeliveryView(rs.getLong("id"), rs.getLong("event_id"), rs.getLong("rule_id"), rs.getString("name"),
                rs.getInt("action_index"), rs.getString("action_type"), rs.getString("event_type"), rs.getString("path"), status,
                rs.getInt("attempts"), created, status.equals("pending") ? instant(rs.getTimestamp("next_attempt_at")) : null, delivered,
                delivered == null ? null : delivered.toEpochMilli() - created.toEpochMilli(), last, rs.getString("last_error"));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
