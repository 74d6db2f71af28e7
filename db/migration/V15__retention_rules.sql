-- Retention rules: files older than `days` under the glob `path` are deleted, in the home of `username`
-- or of every user (username null). The username is kept as text, not a key to users: a rule naming a
-- deleted user does nothing until a user of that name exists again, and deleting a user never needs
-- to touch its rules.
create table retention_rules (
    id          bigserial     primary key,
    name        varchar(100)  not null,
    path        varchar(1024) not null,
    username    varchar(64),
    days        integer       not null check (days >= 1),
    enabled     boolean       not null default true,
    created_at  timestamptz   not null default now(),
    updated_at  timestamptz   not null default now()
);
create unique index retention_rules_name on retention_rules (lower(name));
