package dev.ferry.sftp.transfer;

import dev.ferry.quotas.NameLocks;
import dev.ferry.quotas.QuotaLedger;
import dev.ferry.sftp.session.FerrySession;
import dev.ferry.sftp.session.SftpAudit;
import dev.ferry.storage.IdentifiedRead;
import dev.ferry.storage.StagedWrite;
import dev.ferry.storage.UserHome;
import java.io.IOException;
import java.nio.file.Path;
import org.springframework.stereotype.Component;

/**
 * Opens transfers with what every one of them needs (the user's bandwidth, the quota ledger, the
 * audit, the name locks of this instance) and adds them to their session's open transfers.
 */
@Component
public class Transfers {

    private final QuotaLedger ledger;
    private final SftpAudit audit;
    private final Bandwidth bandwidth;
    private final NameLocks nameLocks;
    private final KnownDigests knownDigests;

    Transfers(QuotaLedger ledger, SftpAudit audit, Bandwidth bandwidth, NameLocks nameLocks, KnownDigests knownDigests) {
        this.nameLocks = nameLocks;
        this.knownDigests = knownDigests;
        this.ledger = ledger;
        this.audit = audit;
        this.bandwidth = bandwidth;
    }

    /** The locks that changes of usage under a name (publish, remove, rename) hold. */
    public NameLocks nameLocks() {
        return nameLocks;
    }

    /** An upload through a client's handle, published on its CLOSE. */
    public Upload upload(FerrySession session, UserHome home, StagedWrite staged, String virtualPath) throws IOException {
        return opened(session, new Upload(staged, session, home, ledger, bandwidth.uploads(session.account()), virtualPath,
                staged.replacedSize() < 0, null, audit, nameLocks, knownDigests));
    }

    /**
     * A truncation (SETSTAT with a size): the new version of an existing file, metered and
     * recorded as an upload, not paced (no bytes come from the client).
     */
    public Upload truncation(FerrySession session, UserHome home, StagedWrite staged, String virtualPath, long size)
            throws IOException {
        return opened(session, new Upload(staged, session, home, ledger, null, virtualPath, false,
                "truncated to " + size + " bytes (SETSTAT size)", audit, nameLocks, knownDigests));
    }

    /**
     * A download of {@code file}, read through the channel of {@code read}: hashed as it passes
     * unless the digest of the content it reads is known.
     */
    public Download download(FerrySession session, UserHome home, IdentifiedRead read, Path file, String virtualPath) {
        String known = null;
        if (audit.recordsDownloadDigests()) {
            try {
                known = knownDigests.known(session.account().username(), virtualPath, read.identity()).orElse(null);
            } catch (RuntimeException e) {
                // the store is unreachable: hash as the bytes pass
            }
        }
        TransferDigest digest = !audit.recordsDownloadDigests() || known != null ? TransferDigest.orderOnly() : TransferDigest.sha256();
        return opened(session, new Download(read, session, home, file, virtualPath, bandwidth.downloads(session.account()),
                digest, audit, knownDigests, known));
    }

    /** Adds a transfer to its session's open transfers, which it leaves when it ends. */
    private static <T extends Transfer> T opened(FerrySession session, T transfer) {
        session.transfers().opened(transfer);
        return transfer;
    }
}
