-- TOTP secrets are sealed with sftp.secret-key when it is set (shared.SecretBox: "aes-gcm:" + base64 of
-- nonce, ciphertext and tag, about 90 characters), which varchar(64) cannot hold. Secrets stored
-- before keep working: they are read as they are.
alter table admins alter column totp_secret type text;
alter table user_login_factors alter column totp_secret type text;
