package dev.ferry.sftp.session;

/**
 * A transfer in progress as the session layer sees it: what the heartbeat names and keeps
 * alive, and what tells whether the session is busy. The transfers themselves live in
 * {@code sftp.transfer}, which depends on this package, not the other way round.
 */
public interface OpenTransfer {

    /** The path the client named, as the session sees it (from the home's root). */
    String virtualPath();

    /** Whether the transfer writes (an upload or a truncation) rather than reads. */
    boolean isUpload();

    /** The id of the quota reservation the transfer holds in the ledger, or 0 when it holds none. */
    default long quotaReservation() {
        return 0;
    }
}
