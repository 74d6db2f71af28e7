-- Admin MFA (TOTP, RFC 6238) for local admin accounts. The secret is pending until confirmed with a
-- code (totp_confirmed_at); totp_last_step is the last 30-second step whose code was accepted, so that
-- no code is accepted twice, on any replica. mfa_required: this admin must enrol at the next login.
-- Recovery codes are shown once and kept only as SHA-256 (80 random bits each); each works once.
alter table admins add column totp_secret varchar(64);
alter table admins add column totp_confirmed_at timestamptz;
alter table admins add column totp_last_step bigint;
alter table admins add column mfa_required boolean not null default false;

create table admin_recovery_codes (
    id         bigserial    primary key,
    admin_id   bigint       not null references admins (id) on delete cascade,
    code_hash  varchar(64)  not null,
    used_at    timestamptz
);
create index admin_recovery_codes_admin on admin_recovery_codes (admin_id);
