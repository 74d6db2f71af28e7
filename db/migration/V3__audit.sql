-- Append-only transfer audit, chained by hashes so that altering or removing a record is detected.

create table audit_events (
    id               bigserial     primary key,
    ts               timestamptz   not null,
    type             varchar(16)   not null,
    username         varchar(64),
    remote_address   varchar(64),
    session_id       varchar(32),
    path             varchar(4096),
    target_path      varchar(4096),
    bytes            bigint,
    duration_ms      bigint,
    sha256           varchar(64),
    status           varchar(255)  not null,
    detail           varchar(4096),
    key_fingerprint  varchar(64),
    client_version   varchar(255),
    etag             varchar(255),
    version_id       varchar(1024),
    instance_id      varchar(64),
    prev_hash        varchar(64)   not null,
    hash             varchar(64)   not null,
    constraint audit_events_type check (type in ('LOGIN', 'LOGIN_FAILED', 'LOGOUT', 'UPLOAD', 'DOWNLOAD', 'DELETE', 'RENAME',
        'MKDIR', 'RMDIR', 'SETSTAT', 'SYMLINK', 'DENIED', 'ADMIN'))
);
-- Queries are by time range, optionally by user and type, newest first.
create index audit_events_ts on audit_events (ts desc, id desc);
create index audit_events_user_ts on audit_events (username, ts desc, id desc);
create index audit_events_type_ts on audit_events (type, ts desc, id desc);

-- SHA-256 of each file as uploaded, so check-file answers without reading the file again.
create table file_digests (
    user_id     bigint        not null references users (id) on delete cascade,
    path        varchar(4096) not null,
    sha256      varchar(64)   not null,
    size        bigint        not null,
    modified_at timestamptz   not null,
    primary key (user_id, path)
);
