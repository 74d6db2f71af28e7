package dev.ferry.sftp.transfer;

import dev.ferry.quotas.QuotaExceededException;
import dev.ferry.quotas.QuotaLedger;
import dev.ferry.sftp.session.FerrySession;
import dev.ferry.sftp.session.OpenTransfer;
import dev.ferry.sftp.session.SessionAccount;
import dev.ferry.sftp.session.SftpAudit;
import dev.ferry.sftp.status.SafeErrorMessages;
import dev.ferry.shared.ForwardingChannel;
import dev.ferry.storage.StagedWrite;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

/**
 * An upload with its limits: the maximum file size, the user's quota (space is reserved in the
 * cluster-wide ledger in chunks, so the database is asked once per chunk, not per packet) and
 * the upload bandwidth. A write that breaks a limit fails and poisons the upload: its CLOSE
 * discards the staged bytes, so a refused upload never appears under its name.
 */
public final class MeteredUpload extends ForwardingChannel implements StagedWrite, OpenTransfer {

    /** Space is reserved this much at a time (or what the quota has left, whichever is less). */
    static final long RESERVATION_CHUNK = 8L * 1024 * 1024;

    private final StagedWrite staged;
    private final FerrySession session;
    private final QuotaLedger ledger;
    private final RateLimiter limiter;
    private final String virtualPath;
    private final long baseSize;
    private final boolean newFile;
    private final long maxFileSize;
    private final boolean quota;
    private final SftpAudit audit;
    private final NameLocks nameLocks;
    private final long startedNanos = System.nanoTime();
    /** SHA-256 of the bytes so far, while they arrive in order from offset 0; null otherwise. */
    private java.security.MessageDigest digest;
    private long digested;
    private long reservationId;
    private long reservedBytes;
    private volatile String failure;
    private boolean audited;
    private String detail;

    /**
     * @param baseSize size of the file the upload replaces, as it was at OPEN: writes reserve what goes beyond it
     * @param newFile  whether the name held no file at OPEN: the reservation then holds a file slot
     */
    public MeteredUpload(StagedWrite staged, FerrySession session, QuotaLedger ledger, RateLimiter limiter, String virtualPath,
            long baseSize, boolean newFile, SftpAudit audit, NameLocks nameLocks) throws IOException {
        super(staged);
        this.audit = audit;
        this.nameLocks = nameLocks;
        this.digest = staged.size() == 0 ? sha256() : null;
        this.staged = staged;
        this.session = session;
        this.ledger = ledger;
        this.limiter = limiter;
        this.virtualPath = virtualPath;
        this.baseSize = baseSize;
        this.newFile = newFile;
        this.maxFileSize = session.account().maxFileSize();
        this.quota = session.account().hasQuota();
        if (quota) {
            try {
                reservationId = ledger.reserve(session.account().id(), 0, newFile ? 1 : 0);
            } catch (QuotaExceededException e) {
                staged.abort();
                audited = true;
                audit.uploadFailed(session, virtualPath, 0, 0, e.getMessage());
                throw new SftpException(SftpConstants.SSH_FX_FAILURE, e.getMessage());
            }
        }
    }

    @Override
    public String virtualPath() {
        return virtualPath;
    }

    @Override
    public boolean isUpload() {
        return true;
    }

    @Override
    public long quotaReservation() {
        return reservationId;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (failure != null) {
            throw new SftpException(SftpConstants.SSH_FX_FAILURE, failure);
        }
        int length = src.remaining();
        long end = staged.position() + length;
        if (maxFileSize > 0 && end > maxFileSize) {
            throw fail("file too large: the limit is " + maxFileSize + " bytes per file");
        }
        if (quota) {
            long needed = end - baseSize;
            if (needed > reservedBytes) {
                reserveAtLeast(needed - reservedBytes);
            }
        }
        if (limiter != null) {
            limiter.acquire(length);
        }
        try {
            long position = staged.position();
            int start = src.position();
            int written = staged.write(src);
            session.received(written);
            if (digest != null) {
                if (position == digested) {
                    // Digest the bytes just written from the same buffer: no copy or view per packet.
                    int after = src.position();
                    int limit = src.limit();
                    src.position(start).limit(start + written);
                    digest.update(src);
                    src.limit(limit).position(after);
                    digested += written;
                } else {
                    digest = null; // not sequential: no whole-file digest can be made without reading the file again
                }
            }
            return written;
        } catch (IOException | RuntimeException e) {
            failure = "write failed: the upload was discarded";
            throw e;
        }
    }

    /**
     * Truncates or extends the upload (FSETSTAT with a size on its handle, a SETSTAT truncation):
     * extending past what is reserved reserves it first, as a write would (and is refused, poisoning
     * the upload, as a write would be); shrinking frees the space when the upload is published, where
     * usage is settled exactly. A truncation the storage refuses changes nothing.
     */
    @Override
    public MeteredUpload truncate(long size) throws IOException {
        if (failure != null) {
            throw new SftpException(SftpConstants.SSH_FX_FAILURE, failure);
        }
        if (size < 0) {
            throw new SftpException(SftpConstants.SSH_FX_BAD_MESSAGE, "a size cannot be negative");
        }
        if (maxFileSize > 0 && size > maxFileSize) {
            throw new SftpException(SftpConstants.SSH_FX_FAILURE, "file too large: the limit is " + maxFileSize + " bytes per file");
        }
        if (quota && size - baseSize > reservedBytes) {
            reserveAtLeast(size - baseSize - reservedBytes);
        }
        staged.truncate(size);
        if (digest != null && size != digested) {
            // The digest covers bytes from offset 0 in order; a truncation to 0 starts it again.
            digest = size == 0 ? sha256() : null;
            digested = 0;
        }
        return this;
    }

    /** What the audit record of this upload says besides its outcome (a truncation), or null. */
    public MeteredUpload describedAs(String detail) {
        this.detail = detail;
        return this;
    }

    private void reserveAtLeast(long missing) throws SftpException {
        long chunk = Math.max(missing, RESERVATION_CHUNK);
        try {
            ledger.grow(reservationId, session.account().id(), chunk);
            reservedBytes += chunk;
        } catch (QuotaExceededException big) {
            // Near the limit: take exactly what this write needs, so the last bytes that fit are accepted.
            try {
                ledger.grow(reservationId, session.account().id(), missing);
                reservedBytes += missing;
            } catch (QuotaExceededException e) {
                throw fail(e.getMessage());
            }
        }
    }

    private SftpException fail(String message) {
        failure = message;
        return new SftpException(SftpConstants.SSH_FX_FAILURE, message);
    }

    @Override
    public void commit() throws IOException {
        if (failure != null) {
            discard(failure);
            throw new SftpException(SftpConstants.SSH_FX_FAILURE, failure + " (the upload was discarded)");
        }
        long size = staged.size();
        String sha256 = digest != null && digested == size ? java.util.HexFormat.of().formatHex(digest.digest()) : null;
        try (NameLocks.Held name = nameLocks.hold(session.account().username(), virtualPath)) {
            // What the name holds now, not at OPEN: another session may have created, replaced or removed it since.
            long replaced;
            try {
                replaced = SessionAccount.home(session.serverSession()).storedFileSize(staged.target());
            } catch (IOException | RuntimeException e) {
                discard(SafeErrorMessages.describe(e));
                throw e;
            }
            long delta = size - Math.max(0, replaced);
            long files = replaced < 0 ? 1 : 0;
            if (quota) {
                try {
                    ledger.commit(reservationId, session.account().id(), delta, files);
                } catch (QuotaExceededException e) {
                    discard(e.getMessage());
                    throw new SftpException(SftpConstants.SSH_FX_FAILURE, e.getMessage() + " (the upload was discarded)");
                }
            }
            try {
                staged.commit();
                session.created(virtualPath);
            } catch (IOException | RuntimeException e) {
                ledger.record(session.account().id(), quota ? -delta : 0, quota ? -files : 0);
                audited = true;
                audit.uploadFailed(session, virtualPath, size, elapsedMs(), SafeErrorMessages.describe(e));
                throw e;
            } finally {
                session.transfers().ended(this);
            }
            if (!quota) {
                ledger.record(session.account().id(), delta, files);
            }
        }
        audited = true;
        // The client hears that its CLOSE succeeded only once the record is committed.
        try {
            audit.uploaded(session, virtualPath, size, elapsedMs(), sha256, staged.storedVersion(), detail);
        } catch (RuntimeException e) {
            throw new SftpException(SftpConstants.SSH_FX_FAILURE, "the file was stored but its audit record could not be written");
        }
    }

    /** Discards the upload and records why. */
    public void discard(String reason) {
        if (!audited) {
            audited = true;
            audit.uploadFailed(session, virtualPath, stagedSize(), elapsedMs(), reason);
        }
        abort();
    }

    /** Bytes staged so far, or -1 when the storage cannot say. */
    private long stagedSize() {
        try {
            return staged.size();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Forgets the upload in the session and gives back its quota reservation. */
    private void releaseReservation() {
        session.transfers().ended(this);
        if (quota && reservationId != 0) {
            ledger.release(reservationId);
        }
    }

    private long elapsedMs() {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    private static java.security.MessageDigest sha256() {
        try {
            return java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void abort() {
        releaseReservation();
        staged.abort();
    }

    /**
     * The client went away before closing: the upload is not published; the storage keeps what
     * it can resume (S3), the rest is discarded.
     */
    @Override
    public boolean suspend() {
        if (staged.isCommitted() || audited) {
            return false;
        }
        audited = true;
        long size = stagedSize();
        releaseReservation();
        // A refused upload (quota, size) is never kept for resuming.
        boolean kept;
        if (failure == null) {
            kept = staged.suspend();
        } else {
            staged.abort();
            kept = false;
        }
        audit.uploadFailed(session, virtualPath, size, elapsedMs(), kept
                ? "connection lost before the client closed the file: not published, kept for resuming"
                : "connection lost before the client closed the file: the upload was discarded");
        return kept;
    }

    @Override
    public void close() {
        if (!staged.isCommitted()) {
            suspend();
        }
    }

    @Override
    public long replacedSize() {
        return staged.replacedSize();
    }

    @Override
    public dev.ferry.storage.ObjectVersion storedVersion() {
        return staged.storedVersion();
    }

    @Override
    public Path target() {
        return staged.target();
    }

    @Override
    public Path stagedFile() {
        return staged.stagedFile();
    }

    @Override
    public boolean isCommitted() {
        return staged.isCommitted();
    }

}
