-- Groups (issue 18): settings that users inherit. A group row holds the same shareable settings as
-- a user row (0 = not set by the group); a user's groups are listed in order in user_groups.
create table groups (
    id                        bigserial primary key,
    name                      varchar(64)  not null,
    quota_max_bytes           bigint       not null default 0,
    quota_max_files           bigint       not null default 0,
    max_sessions              integer      not null default 0,
    upload_bytes_per_second   bigint       not null default 0,
    download_bytes_per_second bigint       not null default 0,
    -- storage default for members created without storage of their own; the prefix may hold {username}
    storage_type              varchar(16),
    s3_bucket                 varchar(255),
    s3_prefix                 varchar(1024),
    created_at                timestamptz  not null default now(),
    updated_at                timestamptz  not null default now(),
    constraint groups_non_negative check (quota_max_bytes >= 0 and quota_max_files >= 0 and max_sessions >= 0
        and upload_bytes_per_second >= 0 and download_bytes_per_second >= 0),
    constraint groups_storage_type check (storage_type in ('local', 's3'))
);
-- Names are unique regardless of case, like usernames.
create unique index groups_name_ci on groups (lower(name));

create table group_permissions (
    group_id     bigint        not null references groups (id) on delete cascade,
    path         varchar(4096) not null,
    permissions  varchar(255)  not null,
    primary key (group_id, path)
);

create table group_allowed_ips (
    group_id bigint      not null references groups (id) on delete cascade,
    position integer     not null,
    cidr     varchar(64) not null,
    primary key (group_id, position)
);

-- A user's groups, in the order the admin gave them (the first group that sets a value wins).
-- A group with members cannot be deleted (no cascade): the API refuses it naming the members.
create table user_groups (
    user_id  bigint  not null references users (id) on delete cascade,
    position integer not null,
    group_id bigint  not null references groups (id),
    primary key (user_id, position),
    constraint user_groups_once unique (user_id, group_id)
);
create index user_groups_group on user_groups (group_id);
