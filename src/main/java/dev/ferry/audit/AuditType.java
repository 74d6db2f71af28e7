package dev.ferry.audit;

/** What an audit record is about. */
public enum AuditType {
    LOGIN,
    LOGIN_FAILED,
    LOGOUT,
    UPLOAD,
    DOWNLOAD,
    DELETE,
    RENAME,
    MKDIR,
    RMDIR,
    SETSTAT,
    SYMLINK,
    DENIED,
    /**
     * An upload refused for the user's quota (bytes or files), at OPEN, on a write or at CLOSE; the
     * upload's only record, in place of a failed UPLOAD, with status DENIED and the quota in the detail.
     */
    QUOTA_EXCEEDED,
    /** A change made through the admin API; the username is the acting admin. */
    ADMIN
}
