package dev.ferry.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.ferry.testsupport.TestPostgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import tools.jackson.databind.JsonNode;

/**
 * The outbox's claim and its batched outcomes on a real PostgreSQL with the real schema, without a
 * server: a backlog of thousands, the statistics of an empty table (as after a burst), and several
 * workers claiming at once as replicas do.
 */
class OutboxIT {

    static final Duration LEASE = Duration.ofMinutes(1);
    static final Duration MAX_AGE = Duration.ofHours(1);

    HikariDataSource dataSource;
    JdbcTemplate jdbc;
    Outbox outbox;
    long rule;

    @BeforeEach
    void database() {
        TestPostgres.Database database = TestPostgres.get().newDatabase();
        dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(database.url());
        dataSource.setUsername(database.username());
        dataSource.setPassword(database.password());
        dataSource.setMaximumPoolSize(8);
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        jdbc = new JdbcTemplate(dataSource);
        outbox = new Outbox(jdbc);
        rule = jdbc.queryForObject("insert into event_rules (name, events, actions) values ('r', '{UPLOAD}', "
                + "'[{\"type\": \"webhook\", \"url\": \"http://127.0.0.1:9/\"}]') returning id", Long.class);
    }

    @AfterEach
    void close() {
        dataSource.close();
    }

    /** Queues {@code versions} deliveries for each of {@code files} files, versions interleaved (file 0 v0, file 1 v0, ...). */
    void queue(int files, int versions) {
        jdbc.update("insert into event_deliveries (event_id, rule_id, action_index, action_type, order_key, payload) "
                + "select v * ? + f, ?, 0, 'webhook', 'u:/f' || f, '{}' from generate_series(0, ? - 1) v, generate_series(0, ? - 1) f "
                + "order by v, f", files, rule, versions, files);
    }

    @Test
    void aClaimReadsEachPendingDeliveryAFewTimesNotOncePerCandidateEvenWithTheStatisticsOfAnEmptyTable() {
        jdbc.execute("analyze event_deliveries"); // empty: what the planner believes after a burst, until autovacuum catches up
        int pending = 5000;
        queue(pending, 1);
        // every one failed once (the receiver was down) and was made due again: dead index entries, as in bench/events.sh
        jdbc.update("update event_deliveries set attempts = 1, next_attempt_at = now() + interval '1 hour'");
        jdbc.update("update event_deliveries set next_attempt_at = now()");

        TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        String plan = tx.execute(status -> {
            status.setRollbackOnly(); // EXPLAIN ANALYZE runs the claim: take nothing
            return jdbc.queryForObject("explain (analyze, format json) " + Outbox.CLAIM.replaceFirst("limit \\?", "limit 16")
                    .replaceFirst("secs => \\?", "secs => 60"), String.class);
        });
        JsonNode root = EventRules.JSON.readTree(plan).get(0).get("Plan");
        long rowsRead = rowsRead(root);
        // One pass over the pending deliveries and their index, plus the few claimed: a small multiple
        // of the backlog. A check per candidate through the wrong index reads ~backlog^2 / 2 (12.5 million here).
        assertThat(rowsRead).as("rows read by one claim with %d pending: %s", pending, plan).isLessThan(10L * pending);
        assertThat(count("attempts = 1")).as("rolled back").isEqualTo(pending);
    }

    /** Every row a plan node produced or filtered away, times its loops. */
    static long rowsRead(JsonNode node) {
        long loops = Math.max(1, node.path("Actual Loops").asLong());
        long rows = (node.path("Actual Rows").asLong() + node.path("Rows Removed by Filter").asLong()
                + node.path("Rows Removed by Index Recheck").asLong()) * loops;
        for (JsonNode child : node.path("Plans")) {
            rows += rowsRead(child);
        }
        return rows;
    }

    @Test
    void workersClaimingAtOnceSendEachDeliveryOnceAndEachFilesInOrderThroughFailures() throws Exception {
        int files = 150;
        int versions = 6;
        queue(files, versions);
        jdbc.execute("analyze event_deliveries");
        Map<String, Long> held = new ConcurrentHashMap<>(); // order key -> the delivery a worker holds
        Map<String, List<Long>> deliveredPerFile = new ConcurrentHashMap<>();
        Map<Long, AtomicInteger> deliveredCount = new ConcurrentHashMap<>();
        List<String> violations = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger failures = new AtomicInteger();
        int workers = 4;
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        List<Future<?>> running = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        for (int w = 0; w < workers; w++) {
            Outbox mine = new Outbox(jdbc);
            running.add(pool.submit(() -> {
                while (count("status = 'pending'") > 0 && System.nanoTime() < deadline) {
                    List<Outbox.Claimed> claimed = mine.claim(32, LEASE);
                    List<Outbox.Outcome> outcomes = new ArrayList<>();
                    for (Outbox.Claimed d : claimed) {
                        Long other = held.putIfAbsent(d.key(), d.id());
                        if (other != null) {
                            violations.add(d.key() + ": " + d.id() + " claimed while " + other + " was held");
                        }
                        // a third of the first attempts fail: the next of the file must wait for the retry
                        boolean fail = d.attempts() == 1 && d.id() % 3 == 0;
                        if (fail) {
                            failures.incrementAndGet();
                            outcomes.add(new Outbox.Outcome(d.id(), Outbox.Kind.FAILED, 503, "HTTP 503", Duration.ZERO));
                        } else {
                            deliveredPerFile.computeIfAbsent(d.key(), k -> Collections.synchronizedList(new ArrayList<>())).add(d.id());
                            deliveredCount.computeIfAbsent(d.id(), k -> new AtomicInteger()).incrementAndGet();
                            outcomes.add(new Outbox.Outcome(d.id(), Outbox.Kind.DELIVERED, 204, null, null));
                        }
                    }
                    for (Outbox.Claimed d : claimed) {
                        held.remove(d.key(), d.id());
                    }
                    mine.record(outcomes, MAX_AGE);
                }
                return null;
            }));
        }
        for (Future<?> f : running) {
            f.get(4, TimeUnit.MINUTES);
        }
        pool.shutdown();

        assertThat(count("status = 'delivered'")).as("all delivered").isEqualTo(files * versions);
        assertThat(violations).as("two deliveries of one file held at once").isEmpty();
        assertThat(deliveredCount).hasSize(files * versions);
        assertThat(deliveredCount.values()).allMatch(n -> n.get() == 1, "each delivered once");
        assertThat(failures.get()).isGreaterThan(files);
        assertThat(deliveredPerFile).hasSize(files);
        deliveredPerFile.forEach((file, ids) -> assertThat(ids).as(file).hasSize(versions).isSorted());
        assertThat(count("attempts = 2")).as("the failed ones, once more").isEqualTo(failures.get());
    }

    @Test
    void aBatchOfOutcomesIsRecordedInOneStatementEachAsItEnded() {
        queue(6, 1);
        jdbc.update("update event_deliveries set retry_from = now() - interval '2 hours' where order_key = 'u:/f3'");
        List<Outbox.Claimed> claimed = outbox.claim(10, LEASE);
        assertThat(claimed).hasSize(6);
        assertThat(claimed).extracting(Outbox.Claimed::attempts).containsOnly(1);
        long[] id = claimed.stream().mapToLong(Outbox.Claimed::id).toArray();
        List<Long> dead = outbox.record(List.of(
                new Outbox.Outcome(id[0], Outbox.Kind.DELIVERED, 200, null, null),
                new Outbox.Outcome(id[1], Outbox.Kind.FAILED, 500, "HTTP 500: oops", Duration.ofMinutes(5)),
                new Outbox.Outcome(id[2], Outbox.Kind.FAILED, null, "ConnectException", Duration.ofHours(5)),
                new Outbox.Outcome(id[3], Outbox.Kind.FAILED, 502, "HTTP 502", Duration.ofMinutes(1)),
                new Outbox.Outcome(id[4], Outbox.Kind.DEAD, null, "the rule no longer has this action", null),
                new Outbox.Outcome(id[5], Outbox.Kind.RELEASED, null, null, null)), MAX_AGE);
        assertThat(dead).as("past its retry window, and dead at once").containsExactlyInAnyOrder(id[3], id[4]);
        List<Map<String, Object>> rows = jdbc.queryForList("select id, status, attempts, last_status, last_error, lease_until, "
                + "delivered_at is not null as delivered, extract(epoch from next_attempt_at - now())::int as due_in, "
                + "extract(epoch from retry_from + interval '1 hour' - next_attempt_at)::int as before_window_end "
                + "from event_deliveries order by id");
        assertThat(rows.get(0)).containsEntry("status", "delivered").containsEntry("last_status", 200).containsEntry("delivered", true);
        assertThat(rows.get(1)).containsEntry("status", "pending").containsEntry("last_status", 500).containsEntry("last_error", "HTTP 500: oops");
        assertThat((Integer) rows.get(1).get("due_in")).isBetween(240, 300);
        assertThat(rows.get(2)).as("no later than the end of the retry window").containsEntry("status", "pending")
                .containsEntry("before_window_end", 0);
        assertThat(rows.get(3)).containsEntry("status", "dead").containsEntry("last_status", 502);
        assertThat(rows.get(4)).containsEntry("status", "dead").containsEntry("last_error", "the rule no longer has this action");
        assertThat(rows.get(5)).as("released: not an attempt").containsEntry("status", "pending").containsEntry("attempts", 0);
        for (Map<String, Object> row : rows) {
            assertThat(row.get("lease_until")).as("lease given back: %s", row).isNull();
        }
        assertThat(outbox.claim(10, LEASE)).as("only the released one is due now").extracting(Outbox.Claimed::id).containsExactly(id[5]);
    }

    long count(String where) {
        return jdbc.queryForObject("select count(*) from event_deliveries where " + where, Long.class);
    }
}
