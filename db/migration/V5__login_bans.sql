-- Brute-force defence: failed logins per source address, shared by every instance.
create table login_bans (
    address        varchar(64)  primary key,
    failures       integer      not null default 0,
    window_start   timestamptz  not null,
    ban_count      integer      not null default 0,
    banned_until   timestamptz,
    last_failure   timestamptz  not null
);
create index login_bans_banned_until on login_bans (banned_until);
