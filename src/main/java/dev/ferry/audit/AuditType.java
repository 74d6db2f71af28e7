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
    /** A change made through the admin API; the username is the acting admin. */
    ADMIN
}
