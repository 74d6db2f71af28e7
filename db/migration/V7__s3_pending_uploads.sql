-- Multipart uploads to S3 homes that are under way or were interrupted. A row exists from the
-- first part sent until the upload completes or is aborted, so an upload of a crashed server is
-- still found and aborted (no orphaned parts left to pay for). An interrupted upload (SUSPENDED)
-- can be continued by the client (reput, lftp put -c) from resumable_bytes.
CREATE TABLE s3_uploads (
    id              BIGSERIAL PRIMARY KEY,
    bucket          TEXT        NOT NULL,
    object_key      TEXT        NOT NULL,
    upload_id       TEXT        NOT NULL,
    part_size       BIGINT      NOT NULL,
    state           TEXT        NOT NULL CHECK (state IN ('ACTIVE', 'SUSPENDED')),
    resumable_bytes BIGINT      NOT NULL DEFAULT 0,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX s3_uploads_by_key ON s3_uploads (bucket, object_key);
CREATE INDEX s3_uploads_by_age ON s3_uploads (updated_at);

CREATE TABLE s3_upload_parts (
    upload      BIGINT NOT NULL REFERENCES s3_uploads (id) ON DELETE CASCADE,
    part_number INT    NOT NULL,
    etag        TEXT   NOT NULL,
    size        BIGINT NOT NULL,
    PRIMARY KEY (upload, part_number)
);
