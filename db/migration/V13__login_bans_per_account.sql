-- Brute-force defence per (address, username) with a ceiling per address: a partner's broken batch
-- job blocks its own account at the partner's NAT address, not its colleagues behind the same
-- address; an address trying many names is still banned as a whole. The row with username ''
-- stands for the whole address; its score weighs failures for unknown names more.
alter table login_bans add column username varchar(64) not null default '';
alter table login_bans add column score integer not null default 0;
update login_bans set score = failures;
alter table login_bans drop constraint login_bans_pkey;
alter table login_bans add primary key (address, username);
