-- Audit records PostgreSQL refused (a data error: a NUL in text, an index row too large), set aside
-- so that they never block the records behind them or the start. Outside the hash chain of
-- audit_events. `record` is readable (control characters escaped), `raw` is the exact record in the
-- journal's encoding; journal_id/journal_seq name the journal entry it came from, if any.
create table audit_quarantine (
    id             bigserial    primary key,
    quarantined_at timestamptz  not null default now(),
    journal_id     uuid,
    journal_seq    bigint,
    error          text         not null,
    record         text         not null,
    raw            bytea        not null
);
