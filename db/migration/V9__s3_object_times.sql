-- Modification times that clients set (SETSTAT, put -p, rclone) on files of S3 homes: S3 keeps only
-- the time an object was written, and tools that compare times (rclone sync, lftp mirror) would
-- otherwise see every file as changed. A row counts only while the object still has the ETag it
-- was set for, so an object replaced by any other means shows its own time again.
create table s3_object_times (
    bucket      text        not null,
    object_key  text        not null,
    etag        text        not null,
    modified_at timestamptz not null,
    primary key (bucket, object_key)
);
