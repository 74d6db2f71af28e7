-- Permission bits that clients set on files of S3 homes (chmod, put -p, the mode sent with OPEN),
-- kept as their modification times are: in the same row, tied to the object's ETag, carried by
-- renames. A row now holds a time, a mode, or both. Only the nine rwx bits are kept (setuid,
-- setgid and sticky never).
alter table s3_object_times alter column modified_at drop not null;
alter table s3_object_times add column mode integer check (mode between 0 and 511);
alter table s3_object_times add constraint s3_object_times_holds_something check (modified_at is not null or mode is not null);
