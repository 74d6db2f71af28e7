-- Login policy per SFTP user (issue 16.8): 'any' (one of password, key, certificate, as before),
-- 'key+password' or 'key+totp' (a key or certificate first, then the password or a TOTP code).
-- Kept beside the users table so a user row without a row here logs in as before ('any').
-- The TOTP secret (RFC 6238, base32) is stored like the admins' (V19): in clear, readable by whoever
-- can read the database; totp_last_step is the last 30-second step whose code was accepted, moved
-- forward by one conditional update so a code is never accepted twice, on any replica.
create table user_login_factors (
    user_id bigint primary key references users (id) on delete cascade,
    login_policy varchar(16) not null default 'any'
        constraint user_login_factors_policy check (login_policy in ('any', 'key+password', 'key+totp')),
    totp_secret varchar(64),
    totp_enrolled_at timestamptz,
    totp_last_step bigint
);
