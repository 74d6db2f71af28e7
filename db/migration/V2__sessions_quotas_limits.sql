-- Live SFTP sessions of every instance, cluster-wide quota usage with reservations, and per-user limits.

-- One row per authenticated SFTP session on any instance. Rows of a crashed instance stop being
-- refreshed (last_seen) and are ignored after a grace period, then removed.
create table sftp_sessions (
    id               varchar(32)   primary key,
    instance_id      varchar(64)   not null,
    user_id          bigint        not null,
    username         varchar(64)   not null,
    remote_address   varchar(64)   not null,
    client_version   varchar(255),
    key_fingerprint  varchar(64),
    started_at       timestamptz   not null,
    last_seen        timestamptz   not null,
    bytes_in         bigint        not null default 0,
    bytes_out        bigint        not null default 0,
    current_transfer varchar(4096),
    end_requested    boolean       not null default false
);
create index sftp_sessions_user on sftp_sessions (user_id);
create index sftp_sessions_instance on sftp_sessions (instance_id);

-- Exact usage per user; changed only in transactions that lock this row.
create table quota_usage (
    user_id    bigint primary key references users (id) on delete cascade,
    used_bytes bigint not null default 0,
    used_files bigint not null default 0
);
insert into quota_usage (user_id) select id from users;

-- Space and file slots held by uploads in progress, so concurrent uploads on any instance can
-- never together exceed a quota. Expired rows (a crashed instance) no longer count.
create table quota_reservations (
    id          bigserial   primary key,
    user_id     bigint      not null references users (id) on delete cascade,
    bytes       bigint      not null,
    files       bigint      not null,
    expires_at  timestamptz not null
);
create index quota_reservations_user on quota_reservations (user_id, expires_at);

alter table users
    add column max_file_size              bigint not null default 0,
    add column upload_bytes_per_second    bigint not null default 0,
    add column download_bytes_per_second  bigint not null default 0,
    add constraint users_limits_non_negative check (max_file_size >= 0 and upload_bytes_per_second >= 0 and download_bytes_per_second >= 0);
