package dev.ferry.storage.s3;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Modification times set by clients on files of S3 homes, in PostgreSQL (S3 cannot change an
 * object's time, and a listing does not return object metadata). Each time is tied to the ETag
 * of the object it was set on: once the object is replaced, by Ferry or by another tool, the
 * stored time no longer applies and the object's own time shows again.
 */
@Component
class ObjectTimes {

    /** A file moved by a rename: its old key and ETag, its new key and the ETag of the copy. */
    record Move(String fromKey, String fromEtag, String toKey, String toEtag) {
    }

    private final JdbcTemplate jdbc;

    ObjectTimes(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    void set(String bucket, String key, String etag, Instant modified) {
        jdbc.update("insert into s3_object_times (bucket, object_key, etag, modified_at) values (?, ?, ?, ?) "
                + "on conflict (bucket, object_key) do update set etag = excluded.etag, modified_at = excluded.modified_at",
                bucket, key, plain(etag), Timestamp.from(modified));
    }

    /** The time set on the object with this key and ETag, if one was. */
    Optional<Instant> find(String bucket, String key, String etag) {
        List<Instant> found = jdbc.query("select modified_at from s3_object_times where bucket = ? and object_key = ? and etag = ?",
                (rs, row) -> rs.getTimestamp(1).toInstant(), bucket, key, plain(etag));
        return found.stream().findFirst();
    }

    /** The times set on the objects of one listing page (key to ETag), in one query. */
    Map<String, Instant> find(String bucket, Map<String, String> etagsByKey) {
        Map<String, Instant> times = new HashMap<>();
        if (etagsByKey.isEmpty()) {
            return times;
        }
        jdbc.query(c -> {
            var statement = c.prepareStatement("select object_key, etag, modified_at from s3_object_times "
                    + "where bucket = ? and object_key = any(?)");
            statement.setString(1, bucket);
            statement.setArray(2, c.createArrayOf("text", etagsByKey.keySet().toArray()));
            return statement;
        }, rs -> {
            if (rs.getString(2).equals(plain(etagsByKey.get(rs.getString(1))))) {
                times.put(rs.getString(1), rs.getTimestamp(3).toInstant());
            }
        });
        return times;
    }

    /** The object at this key was replaced or removed: a time set on it no longer applies. */
    void forget(String bucket, String key) {
        jdbc.update("delete from s3_object_times where bucket = ? and object_key = ?", bucket, key);
    }

    /** Everything under a key prefix is gone (a purged home). */
    void forgetAllUnder(String bucket, String keyPrefix) {
        jdbc.update("delete from s3_object_times where bucket = ? and starts_with(object_key, ?)", bucket, keyPrefix);
    }

    /** Renamed files keep their times: each row follows its object to the new key and ETag. */
    void moved(String bucket, List<Move> moves) {
        if (moves.isEmpty()) {
            return;
        }
        // Rows left at the new keys belonged to objects replaced there: they go first.
        jdbc.batchUpdate("delete from s3_object_times where bucket = ? and object_key = ?", moves, moves.size(),
                (statement, move) -> {
                    statement.setString(1, bucket);
                    statement.setString(2, move.toKey());
                });
        jdbc.batchUpdate("update s3_object_times set object_key = ?, etag = ? where bucket = ? and object_key = ? and etag = ?",
                moves, moves.size(), (statement, move) -> {
                    statement.setString(1, move.toKey());
                    statement.setString(2, plain(move.toEtag()));
                    statement.setString(3, bucket);
                    statement.setString(4, move.fromKey());
                    statement.setString(5, plain(move.fromEtag()));
                });
    }

    /** An ETag without the quotes some answers put around it (listings, HEAD and copy results differ by store). */
    static String plain(String etag) {
        return etag == null ? "" : etag.replace("\"", "");
    }
}
