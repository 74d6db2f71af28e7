-- Core schema: SFTP users and their keys, admin accounts, shared host keys.
-- Append-only: never edit a migration once released; add V<n>__<what>.sql instead.

create table users (
    id               bigserial primary key,
    username         varchar(64)  not null,
    password_hash    varchar(255),
    enabled          boolean      not null default true,
    expires_at       timestamptz,
    storage_type     varchar(16)  not null default 'local',
    s3_bucket        varchar(255),
    s3_prefix        varchar(1024),
    quota_max_bytes  bigint       not null default 0,
    quota_max_files  bigint       not null default 0,
    max_sessions     integer      not null default 0,
    created_at       timestamptz  not null default now(),
    updated_at       timestamptz  not null default now(),
    constraint users_storage_type check (storage_type in ('local', 's3')),
    constraint users_quota_non_negative check (quota_max_bytes >= 0 and quota_max_files >= 0 and max_sessions >= 0)
);
-- Usernames are unique regardless of case (homes must not collide on case-insensitive stores).
create unique index users_username_ci on users (lower(username));

create table user_permissions (
    user_id      bigint       not null references users (id) on delete cascade,
    path         varchar(4096) not null,
    permissions  varchar(255) not null,
    primary key (user_id, path)
);

create table user_allowed_ips (
    user_id  bigint      not null references users (id) on delete cascade,
    position integer     not null,
    cidr     varchar(64) not null,
    primary key (user_id, position)
);

create table user_keys (
    id           bigserial primary key,
    user_id      bigint        not null references users (id) on delete cascade,
    key_type     varchar(64)   not null,
    key_data     varchar(8192) not null,
    comment      varchar(255),
    fingerprint  varchar(64)   not null,
    created_at   timestamptz   not null default now()
);
create unique index user_keys_user_fingerprint on user_keys (user_id, fingerprint);
-- Login looks a key up by (username -> user_id, fingerprint).
create index user_keys_fingerprint on user_keys (fingerprint);

create table admins (
    id            bigserial primary key,
    username      varchar(64)  not null,
    password_hash varchar(255) not null,
    role          varchar(16)  not null default 'ADMIN',
    created_at    timestamptz  not null default now(),
    constraint admins_role check (role in ('ADMIN', 'AUDITOR'))
);
create unique index admins_username_ci on admins (lower(username));

-- One row per host key algorithm; every replica sharing the database serves the same keys.
create table host_keys (
    algorithm    varchar(32)  primary key,
    private_key  text         not null,
    fingerprint  varchar(64)  not null,
    created_at   timestamptz  not null default now()
);
