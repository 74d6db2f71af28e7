-- Host key rotation: several keys per key type instead of one row per algorithm. Every active key is
-- advertised to clients after login (hostkeys-00@openssh.com, so OpenSSH's UpdateHostKeys learns
-- it); the primary key of each type is the one presented in key exchange; retired keys are neither.
-- Existing keys keep their rows and become the primary keys of their types.
alter table host_keys drop constraint host_keys_pkey;
alter table host_keys add column id bigserial primary key;
update host_keys set algorithm = 'ssh-rsa' where algorithm = 'rsa';
alter table host_keys add column label      varchar(100);
alter table host_keys add column state      varchar(16) not null default 'ACTIVE';
alter table host_keys add column is_primary boolean     not null default false;
alter table host_keys add column changed_at timestamptz not null default now();
update host_keys set is_primary = true, label = 'generated at first start';
alter table host_keys add constraint host_keys_state check (state in ('ACTIVE', 'RETIRED'));
alter table host_keys add constraint host_keys_primary_active check (not is_primary or state = 'ACTIVE');
-- One primary per key type: the key exchange can present only one key of a type.
create unique index host_keys_one_primary on host_keys (algorithm) where is_primary;
create unique index host_keys_fingerprint on host_keys (fingerprint);
