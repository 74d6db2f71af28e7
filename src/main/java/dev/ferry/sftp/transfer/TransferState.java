package dev.ferry.sftp.transfer;

/**
 * Where a {@link Transfer} is in its life. A transfer starts {@link #OPEN}; a refused or failed
 * write makes an upload {@link #FAILED}: it stays open, refuses every further write with the same
 * reason and is discarded at CLOSE. It then ends exactly once, in one of the three final states,
 * which is when its audit record is written and it leaves the session's open transfers.
 */
public enum TransferState {
    /** Bytes may move. */
    OPEN,
    /** A write broke a limit or the storage failed: the upload is poisoned and its CLOSE discards it. */
    FAILED,
    /** Ended by the client's CLOSE: an upload published under its name, a download finished. */
    COMMITTED,
    /** Ended by a lost connection before the client's CLOSE: nothing published; the storage keeps what it can resume. */
    SUSPENDED,
    /** Ended without publishing anything: refused, failed, or cut off and not kept. */
    ABORTED;

    boolean isFinal() {
        return this == COMMITTED || this == SUSPENDED || this == ABORTED;
    }
}
