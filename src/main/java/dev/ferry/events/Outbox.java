package dev.ferry.events;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The worker's side of {@code event_deliveries}: claiming due deliveries and recording how their
 * attempts ended. A claim is a lease ({@code lease_until}), taken in one short statement with
 * {@code FOR UPDATE SKIP LOCKED}, so replicas never take the same delivery and no connection or
 * lock is held while a receiver answers; an instance that dies mid-send leaves a lease that runs
 * out, and another instance sends it again (at least once).
 * <p>
 * Order per (rule, action, user and path): only the head of each such queue, its oldest pending
 * delivery, can be claimed, and only when it is due and not leased; the next one becomes the head
 * when it is delivered or dead. The heads are found with {@code DISTINCT ON} over the
 * {@code event_deliveries_order} index: one pass over the pending deliveries per claim, whatever
 * plan the statistics favour (a per-candidate {@code NOT EXISTS} check let a stale plan make each
 * claim quadratic in the backlog: seconds at 5,000 pending). So a claimed batch never holds two
 * deliveries of the same queue. The outcomes of many attempts are recorded in one statement.
 */
@Component
class Outbox {

    static final String CLAIM = "with heads as ("
            + " select distinct on (rule_id, action_index, order_key) id, next_attempt_at, lease_until from event_deliveries"
            + " where status = 'pending' order by rule_id, action_index, order_key, id),"
            + " candidates as (select id from heads where next_attempt_at <= now() and (lease_until is null or lease_until < now())"
            + " order by next_attempt_at, id limit ?),"
            // re-checked on the row as locked: a candidate another replica claimed or finished meanwhile is skipped
            + " due as (select d.id from event_deliveries d join candidates c on c.id = d.id"
            + " where d.status = 'pending' and d.next_attempt_at <= now() and (d.lease_until is null or d.lease_until < now())"
            + " for update of d skip locked)"
            + " update event_deliveries d set lease_until = now() + make_interval(secs => ?), attempts = d.attempts + 1"
            + " from due, event_rules r where d.id = due.id and r.id = d.rule_id"
            + " returning d.id, d.event_id, d.attempts, d.order_key, d.payload::text as payload, r.name, (r.actions -> d.action_index)::text as action";

    /**
     * One statement for a batch of outcomes. Delivered: done. Failed: the next attempt after its
     * delay, but no later than the end of the retry window; a failure at or after its end is dead.
     * Dead: at once. Released: never sent (its lease was too short to start), the attempt not counted.
     */
    private static final String RECORD = "update event_deliveries d set lease_until = null,"
            + " status = case when o.kind = 'delivered' then 'delivered' when o.kind = 'dead' then 'dead'"
            + "   when o.kind = 'failed' and now() >= d.retry_from + make_interval(secs => ?) then 'dead' else 'pending' end,"
            + " delivered_at = case when o.kind = 'delivered' then now() else d.delivered_at end,"
            + " attempts = case when o.kind = 'released' then d.attempts - 1 else d.attempts end,"
            + " last_status = case when o.kind = 'released' then d.last_status else o.http_status end,"
            + " last_error = case when o.kind = 'released' then d.last_error else o.error end,"
            + " next_attempt_at = case when o.kind = 'failed'"
            + "   then least(now() + make_interval(secs => o.delay), d.retry_from + make_interval(secs => ?)) else d.next_attempt_at end"
            + " from unnest(?::bigint[], ?::text[], ?::int[], ?::text[], ?::float8[]) as o(id, kind, http_status, error, delay)"
            + " where d.id = o.id and (o.kind in ('delivered', 'dead') or d.status = 'pending')"
            + " returning d.id, d.status";

    /** A delivery this instance holds the lease of. */
    record Claimed(long id, long eventId, int attempts, String key, ObjectNode payload, String rule, ObjectNode action) {
    }

    /** How an attempt ended, as recorded. */
    enum Kind {
        DELIVERED, FAILED, DEAD, RELEASED
    }

    /**
     * @param delay for FAILED, when to try again
     */
    record Outcome(long id, Kind kind, Integer httpStatus, String error, Duration delay) {

        static Outcome of(long id, DeliveryOutcome outcome, Duration delayIfFailed) {
            return outcome.delivered() ? new Outcome(id, Kind.DELIVERED, outcome.httpStatus(), null, null)
                    : new Outcome(id, Kind.FAILED, outcome.httpStatus(), outcome.error(), delayIfFailed);
        }
    }

    private static final int RECORD_ATTEMPTS = 5;

    private final JdbcTemplate jdbc;

    Outbox(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Leases up to {@code limit} due heads of their queues; in id order. */
    List<Claimed> claim(int limit, Duration lease) {
        List<Claimed> claimed = new ArrayList<>(jdbc.query(CLAIM, (rs, n) -> claimed(rs), limit, lease.toMillis() / 1000.0));
        claimed.sort(Comparator.comparingLong(Claimed::id));
        return claimed;
    }

    private static Claimed claimed(ResultSet rs) throws SQLException {
        String action = rs.getString("action");
        JsonNode actionNode = action == null ? null : EventRules.JSON.readTree(action);
        return new Claimed(rs.getLong("id"), rs.getLong("event_id"), rs.getInt("attempts"), rs.getString("order_key"),
                (ObjectNode) EventRules.JSON.readTree(rs.getString("payload")), rs.getString("name"),
                actionNode instanceof ObjectNode o ? o : null);
    }

    /**
     * Records the outcomes of many attempts in one statement (run again if PostgreSQL broke a
     * deadlock by rolling it back).
     *
     * @param maxAge the retry window ({@code sftp.events.retry.max-age})
     * @return the ids of the deliveries that are now dead
     */
    List<Long> record(List<Outcome> outcomes, Duration maxAge) {
        if (outcomes.isEmpty()) {
            return List.of();
        }
        int n = outcomes.size();
        Long[] ids = new Long[n];
        String[] kinds = new String[n];
        Integer[] statuses = new Integer[n];
        String[] errors = new String[n];
        Double[] delays = new Double[n];
        for (int i = 0; i < n; i++) {
            Outcome o = outcomes.get(i);
            ids[i] = o.id();
            kinds[i] = o.kind().name().toLowerCase(java.util.Locale.ROOT);
            statuses[i] = o.httpStatus();
            errors[i] = o.error();
            delays[i] = o.delay() == null ? 0.0 : o.delay().toMillis() / 1000.0;
        }
        double window = maxAge.toMillis() / 1000.0;
        for (int attempt = 1;; attempt++) {
            try {
                return record(ids, kinds, statuses, errors, delays, window);
            } catch (TransientDataAccessException e) {
                // A deadlock with another statement updating many deliveries (a bulk retry from the
                // API): PostgreSQL rolled this one back; it can run again as it is.
                if (attempt >= RECORD_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private List<Long> record(Long[] ids, String[] kinds, Integer[] statuses, String[] errors, Double[] delays, double window) {
        return jdbc.execute((Connection c) -> {
            try (PreparedStatement ps = c.prepareStatement(RECORD)) {
                ps.setDouble(1, window);
                ps.setDouble(2, window);
                Array[] arrays = {c.createArrayOf("bigint", ids), c.createArrayOf("text", kinds), c.createArrayOf("int4", statuses),
                        c.createArrayOf("text", errors), c.createArrayOf("float8", delays)};
                for (int i = 0; i < arrays.length; i++) {
                    ps.setArray(3 + i, arrays[i]);
                }
                List<Long> dead = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (rs.getString(2).equals("dead")) {
                            dead.add(rs.getLong(1));
                        }
                    }
                }
                return dead;
            }
        });
    }

    /** Pending deliveries (all instances) and the creation time of the oldest, for metrics and health. */
    record Backlog(long pending, Instant oldest) {
    }

    Backlog backlog() {
        return jdbc.queryForObject("select count(*), min(created_at) from event_deliveries where status = 'pending'",
                (rs, n) -> new Backlog(rs.getLong(1), rs.getTimestamp(2) == null ? null : rs.getTimestamp(2).toInstant()));
    }
}
