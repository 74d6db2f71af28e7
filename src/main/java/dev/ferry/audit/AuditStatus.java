package dev.ferry.audit;

/** How the action an audit record is about ended; {@code detail} says why when it did not succeed. */
public enum AuditStatus {
    OK,
    /** Tried and failed: a storage error, a client gone mid-transfer, a wrong password. */
    FAILED,
    /** Refused before it ran: a permission or a quota. */
    DENIED
}
