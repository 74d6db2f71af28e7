-- Where an SFTP user comes from: 'local' (provisioned through the API, the default) or an identity
-- source ('ldap', 'hook') that created the row just in time at a login and updates it at each one.
-- Rows of a source hold no password and no keys: the source decides every login.
alter table users add column source varchar(16) not null default 'local';
