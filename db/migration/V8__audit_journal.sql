-- How far each instance's local audit journal (sftp.audit.durability=journal) has been shipped into
-- audit_events. Updated in the same transaction as the records it covers, so a restart after a crash
-- ships exactly the records that had not arrived: none twice, none lost.
create table audit_journal_marks (
    journal_id  uuid          primary key,
    shipped_seq bigint        not null,
    updated_at  timestamptz   not null default now()
);
