-- Admin accounts managed through the API, and API tokens for automation.
-- Append-only: never edit a migration once released; add V<n>__<what>.sql instead.

alter table admins add column updated_at timestamptz not null default now();

-- A token is shown once when created; only its SHA-256 is kept (the token carries 256 random
-- bits, so a fast hash is enough: nobody can guess a preimage). Revoking deletes the row.
create table api_tokens (
    id            bigserial    primary key,
    name          varchar(64)  not null,
    role          varchar(16)  not null,
    token_hash    varchar(64)  not null,
    created_by    varchar(64)  not null,
    created_at    timestamptz  not null default now(),
    expires_at    timestamptz,
    last_used_at  timestamptz,
    constraint api_tokens_role check (role in ('ADMIN', 'AUDITOR'))
);
create unique index api_tokens_hash on api_tokens (token_hash);
