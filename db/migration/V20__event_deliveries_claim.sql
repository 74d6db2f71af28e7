-- File events, performance (issue 15). The claim no longer needs a new index: Outbox.CLAIM picks the
-- head of each ordering key's queue with DISTINCT ON over event_deliveries_order (rule_id,
-- action_index, order_key, id) where status = 'pending', a plan that is linear in the backlog
-- whatever the statistics say.

-- Wake the workers of every replica when deliveries are queued, instead of waiting for their next
-- poll (DeliveryNotifications LISTENs). Per row inserted, so a record no rule matches notifies
-- nobody; PostgreSQL folds identical notifications of one transaction into one and sends it at
-- commit, so an audit batch of 100 records that queues 100 deliveries wakes each worker once, and
-- only if it commits.
create function event_deliveries_notify() returns trigger language plpgsql as $$
begin
    perform pg_notify('ferry_event_deliveries', '');
    return null;
end
$$;

create trigger event_deliveries_notify after insert on event_deliveries
    for each row execute function event_deliveries_notify();

-- The outbox grows from nothing to thousands of rows in seconds and every delivery updates its row:
-- analyze and vacuum it sooner than the defaults (10 % / 20 % of the table), so the planner does not
-- plan a backlog of thousands with the statistics of an empty table.
alter table event_deliveries set (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 200,
                                  autovacuum_vacuum_scale_factor = 0.05);
