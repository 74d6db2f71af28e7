-- Each record follows exactly one other: two instances that tried to extend the chain from the same
-- record cannot both commit; the loser re-reads the end of the chain and retries. This replaces a
-- lock and a query per batch on the path of every upload's CLOSE.
create unique index audit_events_prev_hash on audit_events (prev_hash);
