-- File events (dev.ferry.events): rules saying which audit records are delivered where, and the
-- outbox of deliveries. A delivery is inserted by a trigger on audit_events, in the transaction that
-- inserts the audit record: a record that is committed always has its deliveries, one that is never
-- inserted (an unconfirmed upload, a record PostgreSQL refused) never has any. Rules are read by
-- the trigger at every insert, so a change takes effect at once on every replica.

create table event_rules (
    id           bigserial     primary key,
    name         varchar(128)  not null unique,
    enabled      boolean       not null default true,
    -- audit types (UPLOAD, ...) and QUOTA_EXCEEDED
    events       text[]        not null,
    -- lower case; empty matches every user
    usernames    text[]        not null default '{}',
    groups       text[]        not null default '{}',
    -- the globs as given, and the PostgreSQL regular expressions compiled from them (PathGlob)
    paths        text[]        not null default '{}',
    path_regexes text[]        not null default '{}',
    min_size     bigint,
    -- [{"type": "webhook", "url": ..., "secret": <sealed>}, {"type": "kafka", "topic": ...}]
    actions      jsonb         not null,
    created_at   timestamptz   not null default now(),
    updated_at   timestamptz   not null default now()
);

-- One row per (audit record, matching rule, action). `payload` is the record as the webhook body
-- shows it (without "rule"), copied at insert, so the outbox never reads the audit trail again.
-- Deliveries with the same (rule_id, action_index, order_key) are sent one after the other, in id
-- order: order_key is username:path, one file of one user.
create table event_deliveries (
    id              bigserial     primary key,
    event_id        bigint        not null,
    rule_id         bigint        not null references event_rules (id) on delete cascade,
    action_index    int           not null,
    action_type     varchar(32)   not null,
    order_key       text          not null,
    payload         jsonb         not null,
    status          varchar(16)   not null default 'pending',
    attempts        int           not null default 0,
    next_attempt_at timestamptz   not null default now(),
    -- an instance sending it holds it until then; a crashed instance's claim runs out
    lease_until     timestamptz,
    last_status     int,
    last_error      varchar(1024),
    created_at      timestamptz   not null default now(),
    -- the retry window (sftp.events.retry.max-age) starts here: created_at, or the last manual retry
    retry_from      timestamptz   not null default now(),
    delivered_at    timestamptz,
    constraint event_deliveries_status check (status in ('pending', 'delivered', 'dead'))
);
create index event_deliveries_due on event_deliveries (next_attempt_at, id) where status = 'pending';
create index event_deliveries_order on event_deliveries (rule_id, action_index, order_key, id) where status = 'pending';
create index event_deliveries_rule on event_deliveries (rule_id, status, id desc);
create index event_deliveries_status on event_deliveries (status, id desc);

-- Which records make events: those that succeeded, and the ones that are failures by nature
-- (LOGIN_FAILED, DENIED); QUOTA_EXCEEDED is an UPLOAD refused for the quota ("quota exceeded: ...").
create function event_deliveries_for_audit_record() returns trigger language plpgsql as $$
begin
    insert into event_deliveries (event_id, rule_id, action_index, action_type, order_key, payload)
    select new.id, r.id, (a.position - 1)::int, a.action ->> 'type',
           coalesce(lower(new.username), '') || ':' || coalesce(new.path, ''),
           jsonb_build_object('id', new.id, 'type', new.type,
               'timestamp', to_char(new.ts at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
               'username', new.username, 'remoteAddress', new.remote_address, 'sessionId', new.session_id,
               'path', new.path, 'targetPath', new.target_path, 'bytes', new.bytes, 'sha256', new.sha256,
               'status', new.status, 'detail', new.detail)
    from event_rules r
    cross join lateral jsonb_array_elements(r.actions) with ordinality as a(action, position)
    where r.enabled
      and ((new.type = any (r.events) and (new.status = 'OK' or new.type in ('LOGIN_FAILED', 'DENIED')))
           or ('QUOTA_EXCEEDED' = any (r.events) and new.status <> 'OK' and new.detail like 'quota exceeded%'))
      and (cardinality(r.usernames) = 0 or lower(new.username) = any (r.usernames))
      and (cardinality(r.path_regexes) = 0
           or exists (select 1 from unnest(r.path_regexes) as p(regex) where new.path ~ p.regex or new.target_path ~ p.regex))
      and (r.min_size is null or coalesce(new.bytes, 0) >= r.min_size)
    order by r.id, a.position;
    return null;
end
$$;

create trigger audit_events_event_deliveries after insert on audit_events
    for each row execute function event_deliveries_for_audit_record();
