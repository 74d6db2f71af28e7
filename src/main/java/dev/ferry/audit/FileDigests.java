package dev.ferry.audit;

import java.util.List;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * The SHA-256 of each file as it was uploaded, kept per user and path, so a checksum request
 * is answered without reading the file. Maintained from the audit events in the same
 * transaction that records them: an upload stores its digest, a rename moves it, a delete drops it.
 */
@Service
public class FileDigests {

    /** A stored digest and the size of the file it was computed for. */
    public record Digest(String sha256, long size) {
    }

    /**
     * How an upload's record updates a stored row: the identity bound to it stays only if the
     * digest is the same (the upload's {@link #remember} may come first: with the audit journal the
     * record reaches PostgreSQL later), else it is dropped, so a row never pairs an identity with
     * another content's digest.
     */
    static final String KEEP_IDENTITY_OF_SAME_DIGEST =
            "content_id = case when file_digests.sha256 = excluded.sha256 then file_digests.content_id end";

    private final JdbcTemplate jdbc;
    /** Lazily: the log writes digests through this class. */
    private final ObjectProvider<AuditLog> log;

    FileDigests(JdbcTemplate jdbc, ObjectProvider<AuditLog> log) {
        this.jdbc = jdbc;
        this.log = log;
    }

    /**
     * The digest of a file, if one was recorded for this path and the size still matches. Records
     * still on their way to PostgreSQL are sent first, so a just-finished upload is found.
     */
    public Optional<Digest> find(String username, String path, long currentSize) {
        log.getObject().flush();
        List<Digest> rows = jdbc.query("select d.sha256, d.size from file_digests d join users u on u.id = d.user_id "
                        + "where lower(u.username) = lower(?) and d.path = ?",
                (rs, i) -> new Digest(rs.getString(1), rs.getLong(2)), username, path);
        return rows.stream().filter(d -> d.size() == currentSize).findFirst();
    }

    /**
     * The digest stored under the path if it was computed from the content {@code identity} names
     * (see {@code UserHome.contentIdentity}); empty when none is, or {@code identity} is null. No
     * flush of records in flight: an upload binds its identity only after its record is committed.
     */
    public Optional<String> known(String username, String path, String identity) {
        if (identity == null || !storable(path)) {
            return Optional.empty();
        }
        return jdbc.query("select d.sha256 from file_digests d join users u on u.id = d.user_id "
                        + "where lower(u.username) = lower(?) and d.path = ? and d.content_id = ?",
                (rs, i) -> rs.getString(1), username, path, identity).stream().findFirst();
    }

    /**
     * Stores {@code sha256} as the digest of the content {@code identity} names under the path,
     * replacing what was stored there. Every row pairs an identity with the digest of exactly that
     * content, whoever writes last: a lookup by another identity does not find it.
     */
    public void remember(String username, String path, String identity, String sha256, long size) {
        if (identity == null || sha256 == null || !storable(path)) {
            return;
        }
        jdbc.update("insert into file_digests (user_id, path, sha256, size, modified_at, content_id) "
                        + "select id, ?, ?, ?, now(), ? from users where lower(username) = lower(?) "
                        + "on conflict (user_id, path) do update set sha256 = excluded.sha256, size = excluded.size, "
                        + "modified_at = excluded.modified_at, content_id = excluded.content_id",
                path, sha256, size, identity, username);
    }

    /** A path recorded as it is (see {@link AuditText}): only such paths have digests stored. */
    private static boolean storable(String path) {
        return path != null && !AuditText.needsEscaping(path) && !AuditText.mayBeEscaped(path);
    }

    /** Whether recording the event changes stored digests (an upload, a delete, a rename). */
    static boolean changedBy(AuditEvent e) {
        return e.username() != null && e.path() != null && e.status() == AuditStatus.OK
                && (e.type() == AuditType.UPLOAD || e.type() == AuditType.DELETE
                        || (e.type() == AuditType.RENAME && e.targetPath() != null));
    }

    /**
     * Whether the event changes digests that its own INSERT (see {@code AuditLog}) does not store:
     * anything {@link #changedBy} but an upload with its SHA-256 (and a path that may have been
     * escaped, whose digest is dropped instead). Such a record is applied with {@link #apply} in
     * its place in the batch.
     */
    static boolean changedBeyondTheInsert(AuditEvent e) {
        return changedBy(e) && !(e.type() == AuditType.UPLOAD && e.sha256() != null && !AuditText.mayBeEscaped(e.path()));
    }

    void apply(AuditEvent e) {
        if (!changedBy(e)) {
            return;
        }
        if (AuditText.mayBeEscaped(e.path()) || AuditText.mayBeEscaped(e.targetPath())) {
            // A recorded path with control characters escaped may also be another file's real name:
            // no digest is kept under it (nor moved to or from it), so check-file never answers another file's.
            deleteTree(e.username(), e.path());
            if (e.targetPath() != null) {
                deleteTree(e.username(), e.targetPath());
            }
            return;
        }
        switch (e.type()) {
            case UPLOAD -> {
                if (e.sha256() == null) {
                    delete(e.username(), e.path());
                } else {
                    jdbc.update("insert into file_digests (user_id, path, sha256, size, modified_at) "
                                    + "select id, ?, ?, ?, ? from users where lower(username) = lower(?) "
                                    + "on conflict (user_id, path) do update set sha256 = excluded.sha256, size = excluded.size, "
                                    + "modified_at = excluded.modified_at, " + KEEP_IDENTITY_OF_SAME_DIGEST,
                            e.path(), e.sha256(), e.bytes() == null ? 0 : e.bytes(), java.sql.Timestamp.from(e.timestamp()), e.username());
                }
            }
            case DELETE -> delete(e.username(), e.path());
            case RENAME -> {
                if (e.targetPath() == null) {
                    return;
                }
                delete(e.username(), e.targetPath());
                // A file, or everything under a renamed directory.
                jdbc.update("update file_digests set path = ? || substr(path, ?) where user_id = "
                                + "(select id from users where lower(username) = lower(?)) and (path = ? or path like ? escape '\\')",
                        e.targetPath(), e.path().length() + 1, e.username(), e.path(), likePrefix(e.path()));
            }
            default -> {
            }
        }
    }

    private void delete(String username, String path) {
        jdbc.update("delete from file_digests where user_id = (select id from users where lower(username) = lower(?)) and path = ?",
                username, path);
    }

    /** The digest of a file, or of everything under a directory. */
    private void deleteTree(String username, String path) {
        jdbc.update("delete from file_digests where user_id = (select id from users where lower(username) = lower(?)) "
                + "and (path = ? or path like ? escape '\\')", username, path, likePrefix(path));
    }

    private static String likePrefix(String path) {
        return path.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "/%";
    }
}
