package dev.ferry.sftp.transfer;

import dev.ferry.quotas.QuotaExceededException;
import dev.ferry.quotas.QuotaLedger;

/**
 * An upload's share of its user's quota in the cluster-wide ledger: space is reserved ahead of
 * the bytes in chunks, so the database is asked once per chunk, not per packet, and near the limit
 * exactly what a write needs, so the last bytes that fit are accepted. Settled with the real
 * change in usage when the upload is published, released when it is not.
 */
final class QuotaReservation {

    /** Space is reserved this much at a time (or what the quota has left, whichever is less). */
    static final long CHUNK = 8L * 1024 * 1024;

    private final QuotaLedger ledger;
    private final long userId;
    private final long baseSize;
    private final long id;
    private long reserved;

    /**
     * Reserves a file slot for a new file, no space yet.
     *
     * @param baseSize size of the file the upload replaces, as it was at OPEN: writes reserve what goes beyond it
     */
    QuotaReservation(QuotaLedger ledger, long userId, long baseSize, boolean newFile) throws QuotaExceededException {
        this.ledger = ledger;
        this.userId = userId;
        this.baseSize = baseSize;
        this.id = ledger.reserve(userId, 0, newFile ? 1 : 0);
    }

    long id() {
        return id;
    }

    /** Makes sure the file may grow to {@code size} bytes. */
    void cover(long size) throws QuotaExceededException {
        long missing = size - baseSize - reserved;
        if (missing <= 0) {
            return;
        }
        try {
            ledger.grow(id, userId, Math.max(missing, CHUNK));
            reserved += Math.max(missing, CHUNK);
        } catch (QuotaExceededException big) {
            // Near the limit: take exactly what this write needs.
            ledger.grow(id, userId, missing);
            reserved += missing;
        }
    }

    /** Turns the reservation into the upload's real change of usage. */
    void settle(long bytes, long files) throws QuotaExceededException {
        ledger.commit(id, userId, bytes, files);
    }

    void release() {
        if (id != 0) {
            ledger.release(id);
        }
    }
}
