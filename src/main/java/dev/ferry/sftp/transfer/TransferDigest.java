package dev.ferry.sftp.transfer;

import dev.ferry.shared.Sha256;
import java.nio.ByteBuffer;
import java.security.MessageDigest;

/**
 * The SHA-256 of a file as its bytes pass, uploads and downloads alike, while they pass in order
 * from offset 0: a whole-file digest needs no second read of the file. Bytes out of order (a
 * client writing or reading in parallel at several offsets) end it; the transfer is then recorded
 * without one. Also keeps track of whether the bytes came in order when no digest is wanted
 * ({@code sftp.audit.download-sha256=false}), for the record's "whole file" or "partial read".
 * <p>
 * Updated on every packet on the channel's own thread: no allocation, no lock.
 */
final class TransferDigest {

    private final boolean hashing;
    private MessageDigest sha256;
    private boolean inOrder;
    private long next;
    /** Bytes that went through the SHA-256 (for {@code ferry_digest_hashed_bytes_total}). */
    private long hashedBytes;

    private TransferDigest(boolean hashing, boolean inOrder) {
        this.hashing = hashing;
        this.inOrder = inOrder;
        this.sha256 = hashing && inOrder ? Sha256.newDigest() : null;
    }

    /** The SHA-256 of the bytes from offset 0 on. */
    static TransferDigest sha256() {
        return new TransferDigest(true, true);
    }

    /** Only whether the bytes came in order from offset 0, no digest. */
    static TransferDigest orderOnly() {
        return new TransferDigest(false, true);
    }

    /** Nothing to follow: a transfer that does not start at offset 0 of what it makes (an append, a resume). */
    static TransferDigest none() {
        return new TransferDigest(false, false);
    }

    /** The bytes of {@code buffer} from {@code start}, {@code length} of them, were at {@code position} of the file. */
    void update(long position, ByteBuffer buffer, int start, int length) {
        if (!inOrder) {
            return;
        }
        if (position != next) {
            inOrder = false;
            sha256 = null;
            return;
        }
        if (sha256 != null) {
            // The bytes just moved, from the same buffer: no copy or view per packet.
            int after = buffer.position();
            int limit = buffer.limit();
            buffer.position(start).limit(start + length);
            sha256.update(buffer);
            buffer.limit(limit).position(after);
            hashedBytes += length;
        }
        next += length;
    }

    /** The file was cut or extended to {@code size}: a digest from offset 0 goes on only if nothing changes, or starts again at 0. */
    void truncated(long size) {
        if (!inOrder || size == next) {
            return;
        }
        if (size == 0) {
            next = 0;
            sha256 = hashing ? Sha256.newDigest() : null;
        } else {
            inOrder = false;
            sha256 = null;
        }
    }

    /** How many bytes went through the SHA-256. */
    long hashedBytes() {
        return hashedBytes;
    }

    /** Whether every byte up to {@code size} passed, in order from offset 0. */
    boolean whole(long size) {
        return inOrder && next == size;
    }

    /** The hex SHA-256 when the bytes up to {@code size} are the whole file and a digest was kept; else null. */
    String hexIfWhole(long size) {
        return whole(size) && sha256 != null ? Sha256.hex(sha256) : null;
    }
}
