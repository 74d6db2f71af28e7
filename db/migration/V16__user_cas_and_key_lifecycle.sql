-- Key lifecycle: a label people recognise, an optional expiry after which the key cannot log in, and
-- the time of the key's last login (written in batches, never on the login path).
alter table user_keys add column label        varchar(100);
alter table user_keys add column expires_at   timestamptz;
alter table user_keys add column last_used_at timestamptz;

-- Trusted OpenSSH user certificate authorities: a certificate signed by one of these keys logs in as
-- any of its principals. The fingerprint (SHA256 of the key blob) is what a login looks up.
create table user_cas (
    id          bigserial     primary key,
    name        varchar(100)  not null,
    key_type    varchar(64)   not null,
    key_data    varchar(8192) not null,
    fingerprint varchar(64)   not null,
    created_at  timestamptz   not null default now()
);
create unique index user_cas_name on user_cas (lower(name));
create unique index user_cas_fingerprint on user_cas (fingerprint);

-- Certificates of a CA revoked before they expire, by serial or by key id (exactly one of them).
-- Serials are unsigned 64-bit in OpenSSH: stored as the same 64 bits in a signed bigint.
create table user_ca_revocations (
    id          bigserial     primary key,
    ca_id       bigint        not null references user_cas (id) on delete cascade,
    serial      bigint,
    key_id      varchar(1024),
    created_at  timestamptz   not null default now(),
    constraint user_ca_revocations_one check ((serial is null) <> (key_id is null))
);
create unique index user_ca_revocations_serial on user_ca_revocations (ca_id, serial) where serial is not null;
create unique index user_ca_revocations_key_id on user_ca_revocations (ca_id, key_id) where key_id is not null;
