package dev.ferry.events;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The worker's side of {@code event_deliveries}: claiming due deliveries and recording how each
 * attempt ended. A claim is a lease ({@code lease_until}), taken in one short statement with
 * {@code FOR UPDATE SKIP LOCKED}, so replicas never take the same delivery and no connection or
 * lock is held while a receiver answers; an instance that dies mid-send leaves a lease that runs
 * out, and another instance sends it again (at least once). Order per (rule, action, user and path):
 * a delivery is due only when no earlier one of its file is still pending.
 */
@Component
class Outbox {

    private static final String CLAIM = "with due as ("
            + " select d.id from event_deliveries d"
            + " where d.status = 'pending' and d.next_attempt_at <= now() and (d.lease_until is null or d.lease_until < now())"
            + " and not exists (select 1 from event_deliveries e where e.status = 'pending' and e.rule_id = d.rule_id"
            + "   and e.action_index = d.action_index and e.order_key = d.order_key and e.id < d.id)"
            + " order by d.next_attempt_at, d.id limit ? for update of d skip locked)"
            + " update event_deliveries d set lease_until = now() + make_interval(secs => ?), attempts = d.attempts + 1"
            + " from due, event_rules r where d.id = due.id and r.id = d.rule_id"
            + " returning d.id, d.event_id, d.attempts, d.order_key, d.payload::text as payload, r.name, (r.actions -> d.action_index)::text as action";

    /** A delivery this instance holds the lease of. */
    record Claimed(long id, long eventId, int attempts, String key, ObjectNode payload, String rule, ObjectNode action) {
    }

    private final JdbcTemplate jdbc;

    Outbox(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    List<Claimed> claim(int limit, Duration lease) {
        return jdbc.query(CLAIM, (rs, n) -> claimed(rs), limit, lease.toMillis() / 1000.0);
    }

    private static Claimed claimed(ResultSet rs) throws SQLException {
        String action = rs.getString("action");
        JsonNode actionNode = action == null ? null : EventRules.JSON.readTree(action);
        return new Claimed(rs.getLong("id"), rs.getLong("event_id"), rs.getInt("attempts"), rs.getString("order_key"),
                (ObjectNode) EventRules.JSON.readTree(rs.getString("payload")), rs.getString("name"),
                actionNode instanceof ObjectNode o ? o : null);
    }

    void delivered(long id, Integer httpStatus) {
        jdbc.update("update event_deliveries set status = 'delivered', delivered_at = now(), lease_until = null, last_status = ?, "
                + "last_error = null where id = ?", httpStatus, id);
    }

    /**
     * Records a failed attempt: the next one after {@code delay}, but no later than the end of the
     * retry window; a failure at or after its end makes the delivery dead.
     *
     * @return true if the delivery is now dead
     */
    boolean failed(long id, Integer httpStatus, String error, Duration delay, Duration maxAge) {
        List<String> status = jdbc.queryForList("update event_deliveries set lease_until = null, last_status = ?, last_error = ?, "
                + "status = case when now() >= retry_from + make_interval(secs => ?) then 'dead' else 'pending' end, "
                + "next_attempt_at = least(now() + make_interval(secs => ?), retry_from + make_interval(secs => ?)) "
                + "where id = ? and status = 'pending' returning status", String.class, httpStatus, error, maxAge.toMillis() / 1000.0,
                delay.toMillis() / 1000.0, maxAge.toMillis() / 1000.0, id);
        return !status.isEmpty() && status.get(0).equals("dead");
    }

    /** A delivery that cannot be attempted at all (its action was removed from the rule): dead at once. */
    void dead(long id, String error) {
        jdbc.update("update event_deliveries set status = 'dead', lease_until = null, last_error = ? where id = ?", error, id);
    }

    /** Pending deliveries (all instances) and the creation time of the oldest, for metrics and health. */
    record Backlog(long pending, Instant oldest) {
    }

    Backlog backlog() {
        return jdbc.queryForObject("select count(*), min(created_at) from event_deliveries where status = 'pending'",
                (rs, n) -> new Backlog(rs.getLong(1), rs.getTimestamp(2) == null ? null : rs.getTimestamp(2).toInstant()));
    }
}
