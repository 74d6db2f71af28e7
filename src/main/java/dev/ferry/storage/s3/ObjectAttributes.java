package dev.ferry.storage.s3;

import java.io.IOException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * What clients set on files of S3 homes that S3 cannot keep, in PostgreSQL: modification times
 * (S3 cannot change an object's time, and a listing does not return object metadata) and
 * permission bits. Each row is tied to the ETag of the object it was set on: once the object is
 * replaced, by Ferry or by another tool, the row no longer applies and the object shows S3's
 * time and the default mode again (unless the new object has the same bytes, hence the same
 * ETag, when uploaded whole by another tool).
 * <p>
 * Reads sit on the SFTP path of every stat and listing page, which did not touch PostgreSQL
 * before: they time out after two seconds, and after a failure they are skipped for half a
 * minute (objects show S3's time and the default mode meanwhile) instead of making every request
 * wait for the database.
 * <p>
 * Rows of objects that other tools removed are found by {@link #dropRowsOfRemovedObjects()}: it
 * checks the rows not checked for a day, oldest first, a batch at a time, shared by the replicas.
 */
@Component
class ObjectAttributes {

    private static final Logger log = LoggerFactory.getLogger(ObjectAttributes.class);
    private static final Duration READS_PAUSED_AFTER_FAILURE = Duration.ofSeconds(30);
    private static final int CHECKED_PER_RUN = 1000;

    /** A file moved by a rename: its old key and ETag, its new key and the ETag of the copy. */
    record Move(String fromKey, String fromEtag, String toKey, String toEtag) {
    }

    /**
     * What clients set on one object, each null where they set nothing.
     *
     * @param modifiedAt the modification time
     * @param mode       the permission bits, 0 to 0777
     */
    record Values(Instant modifiedAt, Integer mode) {

        static final Values NONE = new Values(null, null);

        static Values time(Instant modifiedAt) {
            return new Values(modifiedAt, null);
        }

        static Values mode(int mode) {
            return new Values(null, mode & 0777);
        }

        boolean isEmpty() {
            return modifiedAt == null && mode == null;
        }

        /** These values, with {@code later}'s where it has one. */
        Values and(Values later) {
            return new Values(later.modifiedAt != null ? later.modifiedAt : modifiedAt, later.mode != null ? later.mode : mode);
        }
    }

    private final JdbcTemplate jdbc;
    private volatile long readsPausedUntilNanos = System.nanoTime();
    /** The bucket of a name, through the backend's client; null until the S3 backend starts. */
    private volatile Function<String, S3Bucket> buckets;

    ObjectAttributes(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.jdbc.setQueryTimeout(2);
    }

    void useBuckets(Function<String, S3Bucket> buckets) {
        this.buckets = buckets;
    }

    /**
     * Keeps what a client set on the object with this key and ETag; what it did not set stays as
     * set earlier on the same object (a row of an earlier object at the key goes).
     */
    void set(String bucket, String key, String etag, Values set) {
        if (set.isEmpty()) {
            return;
        }
        jdbc.update("insert into s3_object_times (bucket, object_key, etag, modified_at, mode) values (?, ?, ?, ?, ?) "
                + "on conflict (bucket, object_key) do update set "
                + "modified_at = coalesce(excluded.modified_at, case when s3_object_times.etag = excluded.etag then s3_object_times.modified_at end), "
                + "mode = coalesce(excluded.mode, case when s3_object_times.etag = excluded.etag then s3_object_times.mode end), "
                + "etag = excluded.etag, checked_at = now()",
                bucket, key, plain(etag), timeParameter(set.modifiedAt()), modeParameter(set.mode()));
    }

    /** A new object at the key, stored by this server with exactly these values (none: no row). */
    void stored(String bucket, String key, String etag, Values values) {
        if (values.isEmpty()) {
            forget(bucket, key, etag); // a row of an earlier object with the same bytes, hence the same ETag
            return;
        }
        jdbc.update("insert into s3_object_times (bucket, object_key, etag, modified_at, mode) values (?, ?, ?, ?, ?) "
                + "on conflict (bucket, object_key) do update set etag = excluded.etag, modified_at = excluded.modified_at, "
                + "mode = excluded.mode, checked_at = now()",
                bucket, key, plain(etag), timeParameter(values.modifiedAt()), modeParameter(values.mode()));
    }

    private static SqlParameterValue timeParameter(Instant instant) {
        return new SqlParameterValue(Types.TIMESTAMP, instant == null ? null : Timestamp.from(instant));
    }

    private static SqlParameterValue modeParameter(Integer mode) {
        return new SqlParameterValue(Types.INTEGER, mode);
    }

    /** What was set on the object with this key and ETag, if anything was. */
    Optional<Values> find(String bucket, String key, String etag) {
        return Optional.ofNullable(find(bucket, Map.of(key, etag == null ? "" : etag)).get(key));
    }

    /** What was set on the objects of one listing page (key to ETag), in one query. */
    Map<String, Values> find(String bucket, Map<String, String> etagsByKey) {
        Map<String, Values> found = new HashMap<>();
        if (etagsByKey.isEmpty() || readsPaused()) {
            return found;
        }
        try {
            jdbc.query(c -> {
                var statement = c.prepareStatement("select object_key, etag, modified_at, mode from s3_object_times "
                        + "where bucket = ? and object_key = any(?)");
                statement.setString(1, bucket);
                statement.setArray(2, c.createArrayOf("text", etagsByKey.keySet().toArray()));
                return statement;
            }, rs -> {
                if (rs.getString(2).equals(plain(etagsByKey.get(rs.getString(1))))) {
                    Timestamp modified = rs.getTimestamp(3);
                    int modeValue = rs.getInt(4);
                    Integer mode = rs.wasNull() ? null : modeValue; // now: wasNull speaks of the last column read
                    found.put(rs.getString(1), new Values(modified == null ? null : modified.toInstant(), mode));
                }
            });
        } catch (DataAccessException e) {
            pauseReads(e);
            found.clear();
        }
        return found;
    }

    private boolean readsPaused() {
        return System.nanoTime() - readsPausedUntilNanos < 0;
    }

    private void pauseReads(DataAccessException e) {
        readsPausedUntilNanos = System.nanoTime() + READS_PAUSED_AFTER_FAILURE.toNanos();
        log.warn("Cannot read the modification times and modes set on S3 objects ({}): S3's own times and the default "
                + "modes are shown for the next {} s",
                e.toString(), READS_PAUSED_AFTER_FAILURE.toSeconds());
    }

    /** The object with this ETag was removed from the key (or replaced) by this server: what was set on it goes. */
    void forget(String bucket, String key, String etag) {
        jdbc.update("delete from s3_object_times where bucket = ? and object_key = ? and etag = ?", bucket, key, plain(etag));
    }

    /** Everything under a key prefix is gone (a purged home). */
    void forgetAllUnder(String bucket, String keyPrefix) {
        jdbc.update("delete from s3_object_times where bucket = ? and starts_with(object_key, ?)", bucket, keyPrefix);
    }

    /** Renamed files keep their times and modes: each row follows its object to the new key and ETag. */
    void moved(String bucket, List<Move> moves) {
        if (moves.isEmpty()) {
            return;
        }
        deleteRowsAt(bucket, moves, Move::toKey); // rows of objects replaced at the new keys
        jdbc.batchUpdate("update s3_object_times set object_key = ?, etag = ? where bucket = ? and object_key = ? and etag = ?",
                moves, moves.size(), (statement, move) -> {
                    statement.setString(1, move.toKey());
                    statement.setString(2, plain(move.toEtag()));
                    statement.setString(3, bucket);
                    statement.setString(4, move.fromKey());
                    statement.setString(5, plain(move.fromEtag()));
                });
        deleteRowsAt(bucket, moves, Move::fromKey); // what is still there belonged to older objects
    }

    private void deleteRowsAt(String bucket, List<Move> moves, Function<Move, String> key) {
        jdbc.batchUpdate("delete from s3_object_times where bucket = ? and object_key = ?", moves, moves.size(),
                (statement, move) -> {
                    statement.setString(1, bucket);
                    statement.setString(2, key.apply(move));
                });
    }

    /**
     * Deletes the rows whose objects are gone or were replaced by other means, checking the rows
     * not checked for a day (one HEAD each). Rows are claimed by marking them checked first, so
     * replicas share the work and no lock is held while S3 answers.
     */
    @Scheduled(fixedDelayString = "${sftp.storage.s3.times-check:PT10M}", initialDelayString = "${sftp.storage.s3.times-check:PT10M}")
    void dropRowsOfRemovedObjects() {
        Function<String, S3Bucket> bucketNamed = buckets;
        if (bucketNamed == null) {
            return;
        }
        record Row(String bucket, String key, String etag) {
        }
        List<Row> due = jdbc.query("update s3_object_times set checked_at = now() where (bucket, object_key) in ("
                + "select bucket, object_key from s3_object_times where checked_at < now() - interval '1 day' "
                + "order by checked_at limit ? for update skip locked) returning bucket, object_key, etag",
                (rs, i) -> new Row(rs.getString(1), rs.getString(2), rs.getString(3)), CHECKED_PER_RUN);
        int dropped = 0;
        for (Row row : due) {
            boolean current;
            try {
                current = bucketNamed.apply(row.bucket()).head(row.key(), row.key()).map(head -> plain(head.etag()).equals(row.etag()))
                        .orElse(false);
            } catch (IOException e) {
                log.warn("Could not check s3://{}/{} for its stored modification time and mode: {}", row.bucket(), row.key(), e.toString());
                continue; // checked again tomorrow
            }
            if (!current) {
                // only if untouched meanwhile: a time set on a new object there has another ETag
                dropped += jdbc.update("delete from s3_object_times where bucket = ? and object_key = ? and etag = ?",
                        row.bucket(), row.key(), row.etag());
            }
        }
        if (dropped > 0) {
            log.info("Dropped {} stored modification times and modes of S3 objects removed or replaced by other tools", dropped);
        }
    }

    /** An ETag without the quotes some answers put around it (listings, HEAD and copy results differ by store). */
    static String plain(String etag) {
        return etag == null ? "" : etag.replace("\"", "");
    }
}
