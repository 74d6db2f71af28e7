package dev.ferry.sftp.session;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.LongStream;

/**
 * The one registry of a session's open transfers, uploads and downloads alike: a transfer is
 * added when its file is opened and removed when it ends, however it ends (committed, failed,
 * suspended by a lost connection). Graceful stop waits while it is not empty, the heartbeat names
 * its latest transfer and keeps its quota reservations alive, and access control asks whether
 * the session is uploading a path.
 */
public final class OpenTransfers {

    private final Set<OpenTransfer> open = ConcurrentHashMap.newKeySet();
    private volatile OpenTransfer latest;

    public void opened(OpenTransfer transfer) {
        open.add(transfer);
        latest = transfer;
    }

    /** Forgets a transfer that ended; a second call for the same one does nothing. */
    public void ended(OpenTransfer transfer) {
        if (open.remove(transfer) && latest == transfer) {
            latest = open.stream().findAny().orElse(null);
        }
    }

    public boolean isEmpty() {
        return open.isEmpty();
    }

    /** The path of the transfer opened last among those still open, or null when none is. */
    public String current() {
        OpenTransfer transfer = latest;
        return transfer == null ? null : transfer.virtualPath();
    }

    /** Whether an upload to {@code virtualPath} is open. */
    public boolean uploading(String virtualPath) {
        for (OpenTransfer transfer : open) {
            if (transfer.isUpload() && transfer.virtualPath().equals(virtualPath)) {
                return true;
            }
        }
        return false;
    }

    /** The quota reservations the open transfers hold. */
    LongStream quotaReservations() {
        return open.stream().mapToLong(OpenTransfer::quotaReservation).filter(id -> id != 0);
    }
}
