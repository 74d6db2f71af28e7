package dev.ferry.sftp.transfer;

import dev.ferry.quotas.NameLocks;
import dev.ferry.quotas.QuotaExceededException;
import dev.ferry.quotas.QuotaLedger;
import dev.ferry.sftp.session.FerrySession;
import dev.ferry.sftp.session.SftpAudit;
import dev.ferry.sftp.status.QuotaDenied;
import dev.ferry.sftp.status.SafeErrorMessages;
import dev.ferry.storage.ObjectVersion;
import dev.ferry.storage.StagedWrite;
import dev.ferry.storage.UserHome;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

/**
 * An upload with its limits: the maximum file size, the user's quota ({@link QuotaReservation})
 * and the upload bandwidth. A write that breaks a limit fails and poisons the upload: its CLOSE
 * discards the staged bytes, so a refused upload never appears under its name. On the client's
 * CLOSE the staged bytes are published under their name, usage is settled with what the name
 * held at that moment, and the client hears that its CLOSE succeeded only once the audit record
 * (with the SHA-256 of a file written in order) is committed.
 */
public final class Upload extends Transfer implements StagedWrite {

    private final StagedWrite staged;
    private final UserHome home;
    private final QuotaLedger ledger;
    /** Null when the user has no quota: usage is then recorded after the upload is published. */
    private final QuotaReservation quota;
    private final long maxFileSize;
    private final NameLocks nameLocks;
    private final KnownDigests knownDigests;
    /** What the audit record says besides its outcome (a truncation), or null. */
    private final String detail;
    /** Why the upload is {@link TransferState#FAILED}, or null. */
    private volatile Refusal failure;

    /** The reason a poisoned upload gives for every further write and for its discarding CLOSE. */
    private record Refusal(String reason, boolean quota) {

        SftpException atClose() {
            String message = reason + " (the upload was discarded)";
            return quota ? new QuotaDenied(message) : new SftpException(SftpConstants.SSH_FX_FAILURE, message);
        }
    }

    /**
     * @param newFile whether the name held no file at OPEN: the quota reservation then holds a file slot
     * @throws QuotaDenied when the user's quota has no room for one more file; the staged bytes are discarded
     */
    Upload(StagedWrite staged, FerrySession session, UserHome home, QuotaLedger ledger, RateLimiter pace, String virtualPath,
            boolean newFile, String detail, SftpAudit audit, NameLocks nameLocks, KnownDigests knownDigests) throws IOException {
        super(staged, session, virtualPath, pace, staged.size() == 0 ? TransferDigest.sha256() : TransferDigest.none(), audit);
        this.staged = staged;
        this.home = home;
        this.ledger = ledger;
        this.nameLocks = nameLocks;
        this.knownDigests = knownDigests;
        this.detail = detail;
        this.maxFileSize = session.account().maxFileSize();
        QuotaReservation reservation = null;
        if (session.account().hasQuota()) {
            try {
                reservation = new QuotaReservation(ledger, session.account().id(), Math.max(0, staged.replacedSize()), newFile);
            } catch (QuotaExceededException e) {
                staged.abort();
                end(TransferState.ABORTED);
                audit.quotaExceeded(session, virtualPath, 0, 0, e.getMessage());
                throw new QuotaDenied(e.getMessage());
            }
        }
        this.quota = reservation;
    }

    @Override
    public boolean isUpload() {
        return true;
    }

    @Override
    public long quotaReservation() {
        return quota == null ? 0 : quota.id();
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        Refusal refused = failure;
        if (refused != null) {
            throw new SftpException(SftpConstants.SSH_FX_FAILURE, refused.reason());
        }
        int length = src.remaining();
        long position = staged.position();
        checkLimits(position + length);
        pace(length);
        try {
            int start = src.position();
            int written = staged.write(src);
            moved(position, src, start, written);
            session.received(written);
            return written;
        } catch (IOException | RuntimeException e) {
            fail("write failed: the upload was discarded", false);
            throw e;
        }
    }

    /** Reads on an upload's handle see the staged bytes; they count as bytes sent, but are no download. */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        int read = staged.read(dst);
        if (read > 0) {
            session.sent(read);
        }
        return read;
    }

    /** Refuses (and poisons the upload) when the file would grow past the size limit or the quota. */
    private void checkLimits(long size) throws SftpException {
        if (maxFileSize > 0 && size > maxFileSize) {
            throw fail("file too large: the limit is " + maxFileSize + " bytes per file", false);
        }
        if (quota != null) {
            try {
                quota.cover(size);
            } catch (QuotaExceededException e) {
                throw fail(e.getMessage(), true);
            }
        }
    }

    /**
     * Truncates or extends the upload (FSETSTAT with a size on its handle, a SETSTAT truncation):
     * extending past what is reserved reserves it first, as a write would (and is refused, poisoning
     * the upload, as a write would be); shrinking frees the space when the upload is published, where
     * usage is settled exactly. A truncation the storage refuses changes nothing.
     */
    @Override
    public Upload truncate(long size) throws IOException {
        Refusal refused = failure;
        if (refused != null) {
            throw new SftpException(SftpConstants.SSH_FX_FAILURE, refused.reason());
        }
        if (size < 0) {
            throw new SftpException(SftpConstants.SSH_FX_BAD_MESSAGE, "a size cannot be negative");
        }
        if (maxFileSize > 0 && size > maxFileSize) {
            throw new SftpException(SftpConstants.SSH_FX_FAILURE, "file too large: the limit is " + maxFileSize + " bytes per file");
        }
        if (quota != null) {
            try {
                quota.cover(size);
            } catch (QuotaExceededException e) {
                throw fail(e.getMessage(), true);
            }
        }
        staged.truncate(size);
        digest.truncated(size);
        return this;
    }

    private SftpException fail(String reason, boolean byQuota) {
        failure = new Refusal(reason, byQuota);
        failed();
        return byQuota ? new QuotaDenied(reason) : new SftpException(SftpConstants.SSH_FX_FAILURE, reason);
    }

    /**
     * Publishes the upload (the client's CLOSE): under the name's lock, settles usage with what the
     * name holds now, not at OPEN (another session may have created, replaced or removed it since),
     * publishes, and returns only once the record is committed.
     */
    @Override
    public void commit() throws IOException {
        Refusal refused = failure;
        if (refused != null) {
            discard(refused.reason(), refused.quota());
            throw refused.atClose();
        }
        long size = staged.size();
        String sha256 = digest.hexIfWhole(size);
        long userId = session.account().id();
        String identity;
        try (NameLocks.Held name = nameLocks.hold(session.account().username(), virtualPath())) {
            long replaced;
            try {
                replaced = home.storedFileSize(staged.target());
            } catch (IOException | RuntimeException e) {
                discard(SafeErrorMessages.describe(e));
                throw e;
            }
            long delta = size - Math.max(0, replaced);
            long files = replaced < 0 ? 1 : 0;
            if (quota != null) {
                try {
                    quota.settle(delta, files);
                } catch (QuotaExceededException e) {
                    discard(e.getMessage(), true);
                    throw new QuotaDenied(e.getMessage() + " (the upload was discarded)");
                }
            }
            try {
                staged.commit();
                session.created(virtualPath());
            } catch (IOException | RuntimeException e) {
                ledger.record(userId, quota != null ? -delta : 0, quota != null ? -files : 0);
                end(TransferState.ABORTED);
                audit.uploadFailed(session, virtualPath(), size, elapsedMs(), SafeErrorMessages.describe(e));
                throw e;
            }
            end(TransferState.COMMITTED);
            if (quota == null) {
                ledger.record(userId, delta, files);
            }
            // Under the name's lock: no other publish, rename or remove through Ferry can come between.
            identity = sha256 == null ? null : publishedIdentity(size);
        }
        try {
            audit.uploaded(session, virtualPath(), size, elapsedMs(), sha256, staged.storedVersion(), detail);
        } catch (RuntimeException e) {
            throw new SftpException(SftpConstants.SSH_FX_FAILURE, "the file was stored but its audit record could not be written");
        }
        // After the record, which stores the digest unbound: a download of this content then needs no hashing.
        if (identity != null) {
            try {
                knownDigests.remember(session.account().username(), virtualPath(), identity, sha256, size);
            } catch (RuntimeException e) {
                // not kept: the first download hashes, as for a file that came from elsewhere
            }
        }
    }

    /** The identity of the content just published, or null when the storage cannot tell. */
    private String publishedIdentity(long size) {
        try {
            return home.publishedIdentity(staged.target(), size, staged.storedVersion());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Discards the upload and records why. */
    public void discard(String reason) {
        discard(reason, false);
    }

    /** Discards the upload and records why: a refusal for the quota as QUOTA_EXCEEDED, anything else as a failed upload. */
    private void discard(String reason, boolean byQuota) {
        if (end(TransferState.ABORTED)) {
            if (byQuota) {
                audit.quotaExceeded(session, virtualPath(), stagedSize(), elapsedMs(), reason);
            } else {
                audit.uploadFailed(session, virtualPath(), stagedSize(), elapsedMs(), reason);
            }
        }
        releaseAndAbort();
    }

    @Override
    public void abort() {
        end(TransferState.ABORTED);
        releaseAndAbort();
    }

    private void releaseAndAbort() {
        if (quota != null) {
            quota.release();
        }
        staged.abort();
    }

    /**
     * The client went away before closing: the upload is not published; the storage keeps what
     * it can resume (S3), the rest is discarded. A refused upload (quota, size) is never kept.
     */
    @Override
    public boolean suspend() {
        Refusal refused = failure;
        if (staged.isCommitted() || !end(refused == null ? TransferState.SUSPENDED : TransferState.ABORTED)) {
            return false;
        }
        long size = stagedSize();
        if (quota != null) {
            quota.release();
        }
        boolean kept;
        if (refused == null) {
            kept = staged.suspend();
        } else {
            staged.abort();
            kept = false;
        }
        if (refused != null && refused.quota()) {
            audit.quotaExceeded(session, virtualPath(), size, elapsedMs(),
                    refused.reason() + "; connection lost before the client closed the file: the upload was discarded");
        } else {
            audit.uploadFailed(session, virtualPath(), size, elapsedMs(), kept
                    ? "connection lost before the client closed the file: not published, kept for resuming"
                    : "connection lost before the client closed the file: the upload was discarded");
        }
        return kept;
    }

    @Override
    public void close() {
        if (!staged.isCommitted()) {
            suspend();
        }
    }

    /** Bytes staged so far, or -1 when the storage cannot say. */
    private long stagedSize() {
        try {
            return staged.size();
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public long replacedSize() {
        return staged.replacedSize();
    }

    @Override
    public ObjectVersion storedVersion() {
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
