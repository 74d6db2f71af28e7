package dev.ferry.storage.s3;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Multipart uploads to S3 homes, in PostgreSQL so that every instance sees them: the parts sent
 * so far (one row per part, written when S3 confirms it, never per packet), whether the upload is
 * under way or was interrupted, and from where a client may resume it. Interrupted and
 * abandoned uploads are aborted after {@code sftp.storage.s3.pending-retention}.
 */
@Component
class PendingUploads {

    private static final Logger log = LoggerFactory.getLogger(PendingUploads.class);

    private final JdbcTemplate jdbc;
    private final S3StorageProperties properties;
    /** The bucket of a name, through the backend's client; null until the S3 backend starts. */
    private volatile Function<String, S3Bucket> buckets;

    PendingUploads(JdbcTemplate jdbc, S3StorageProperties properties) {
        this.jdbc = jdbc;
        this.properties = properties;
    }

    void useBuckets(Function<String, S3Bucket> buckets) {
        this.buckets = buckets;
    }

    record Part(int number, String etag, long size) {
    }

    /** An interrupted upload claimed for resuming: its parts 1..n cover bytes [0, resumableBytes). */
    record Resumable(long id, String uploadId, long partSize, long resumableBytes, List<Part> parts) {
    }

    long started(String bucket, String key, String uploadId, long partSize) {
        GeneratedKeyHolder keys = new GeneratedKeyHolder();
        jdbc.update(c -> {
            var statement = c.prepareStatement("insert into s3_uploads (bucket, object_key, upload_id, part_size, state) "
                    + "values (?, ?, ?, ?, 'ACTIVE')", new String[] {"id"});
            statement.setString(1, bucket);
            statement.setString(2, key);
            statement.setString(3, uploadId);
            statement.setLong(4, partSize);
            return statement;
        }, keys);
        return keys.getKey().longValue();
    }

    void partSent(long id, Part part) {
        // One round trip: the part and the upload's last-touched time together.
        jdbc.update("with part as (insert into s3_upload_parts (upload, part_number, etag, size) values (?, ?, ?, ?) "
                + "on conflict (upload, part_number) do update set etag = excluded.etag, size = excluded.size) "
                + "update s3_uploads set updated_at = now() where id = ?",
                id, part.number(), part.etag(), part.size(), id);
    }

    /** The client went away: keep the upload for resuming from {@code resumableBytes}. */
    void suspended(long id, long resumableBytes) {
        jdbc.update("update s3_uploads set state = 'SUSPENDED', resumable_bytes = ?, updated_at = now() where id = ?",
                resumableBytes, id);
    }

    void finished(long id) {
        jdbc.update("delete from s3_uploads where id = ?", id);
    }

    /** Bytes an interrupted upload to this key can be resumed from, if there is one. */
    Optional<Long> resumableSize(String bucket, String key) {
        List<Long> sizes = jdbc.queryForList("select resumable_bytes from s3_uploads where bucket = ? and object_key = ? "
                + "and state = 'SUSPENDED' order by updated_at desc limit 1", Long.class, bucket, key);
        return sizes.stream().findFirst();
    }

    /**
     * Takes the newest interrupted upload of this key for a session that continues it; no other
     * session (of any instance) can take it at the same time.
     */
    Optional<Resumable> claim(String bucket, String key) {
        List<Resumable> claimed = jdbc.query("update s3_uploads set state = 'ACTIVE', updated_at = now() where id = ("
                + " select id from s3_uploads where bucket = ? and object_key = ? and state = 'SUSPENDED'"
                + " order by updated_at desc limit 1 for update skip locked)"
                + " returning id, upload_id, part_size, resumable_bytes",
                (rs, row) -> new Resumable(rs.getLong("id"), rs.getString("upload_id"), rs.getLong("part_size"),
                        rs.getLong("resumable_bytes"), List.of()), bucket, key);
        if (claimed.isEmpty()) {
            return Optional.empty();
        }
        Resumable r = claimed.get(0);
        List<Part> parts = new ArrayList<>(jdbc.query("select part_number, etag, size from s3_upload_parts where upload = ? "
                + "and part_number <= ? order by part_number", (rs, row) -> new Part(rs.getInt(1), rs.getString(2), rs.getLong(3)),
                r.id(), r.resumableBytes() / r.partSize()));
        return Optional.of(new Resumable(r.id(), r.uploadId(), r.partSize(), r.resumableBytes(), parts));
    }

    /** Removes interrupted uploads of a key (the client deleted the name they would have had). */
    void discardResumable(S3Bucket bucket, String key) {
        List<String> uploadIds = jdbc.queryForList("delete from s3_uploads where bucket = ? and object_key = ? "
                + "and state = 'SUSPENDED' returning upload_id", String.class, bucket.name(), key);
        for (String uploadId : uploadIds) {
            bucket.abortQuietly(key, uploadId);
        }
    }

    /** Aborts uploads nobody touched for the retention time: interrupted ones and those of crashed servers. */
    @Scheduled(fixedDelayString = "${sftp.storage.s3.pending-check:PT10M}", initialDelayString = "PT1M")
    void abortAbandoned() {
        Function<String, S3Bucket> bucketNamed = buckets;
        if (bucketNamed == null) {
            return;
        }
        record Abandoned(long id, String bucket, String key, String uploadId) {
        }
        List<Abandoned> abandoned = jdbc.query("select id, bucket, object_key, upload_id from s3_uploads "
                + "where updated_at < now() - ?::interval order by id limit 1000",
                (rs, row) -> new Abandoned(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)),
                properties.pendingRetention().toSeconds() + " seconds");
        for (Abandoned a : abandoned) {
            if (jdbc.update("delete from s3_uploads where id = ? and updated_at < now() - ?::interval", a.id(),
                    properties.pendingRetention().toSeconds() + " seconds") == 1) {
                bucketNamed.apply(a.bucket()).abortQuietly(a.key(), a.uploadId());
                log.info("Aborted the multipart upload of s3://{}/{} left unfinished for over {}", a.bucket(), a.key(),
                        properties.pendingRetention());
            }
        }
    }
}
