-- When each stored modification time was last found to still belong to an existing object. Rows of
-- objects that other tools removed (lifecycle rules, aws s3 rm) are found by a periodic check of
-- the least recently checked rows and deleted, so the table does not grow without bound.
alter table s3_object_times add column checked_at timestamptz not null default now();
create index s3_object_times_by_check on s3_object_times (checked_at);
