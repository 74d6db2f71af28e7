-- The OpenSSH key revocation list (KRL) uploaded through PUT /api/v1/revoked-keys: at most one, kept
-- as uploaded (every replica parses it and reloads it when its sha256 changes).
create table revoked_keys (
    id smallint primary key default 1 check (id = 1),
    krl bytea not null,
    sha256 text not null,
    uploaded_at timestamptz not null default now()
);
