-- What identified the content a stored digest was computed from (local: device, inode, size,
-- modification and change times; S3: size and ETag). A digest is used for a download or a
-- check-file only while the file's identity is still this one; null: never used that way.
alter table file_digests add column content_id varchar(1024);
