package dev.ferry.sftp.transfer;

import dev.ferry.quotas.NameLocks;
import dev.ferry.quotas.QuotaLedger;
import dev.ferry.sftp.session.FerrySession;
import dev.ferry.sftp.session.SftpAudit;
import dev.ferry.storage.StagedWrite;
import dev.ferry.storage.UserHome;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
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

    Transfers(QuotaLedger ledger, SftpAudit audit, Bandwidth bandwidth, NameLocks nameLocks) {
        this.nameLocks = nameLocks;
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
                staged.replacedSize() < 0, null, audit, nameLocks));
    }

    /**
     * A truncation (SETSTAT with a size): the new version of an existing file, metered and
     * recorded as an upload, not paced (no bytes come from the client).
     */
    public Upload truncation(FerrySession session, UserHome home, StagedWrite staged, String virtualPath, long size)
            throws IOException {
        return opened(session, new Upload(staged, session, home, ledger, null, virtualPath, false,
                "truncated to " + size + " bytes (SETSTAT size)", audit, nameLocks));
    }

    /** A download of {@code file}, read through {@code channel}. */
    public Download download(FerrySession session, UserHome home, SeekableByteChannel channel, Path file, String virtualPath) {
        return opened(session, new Download(channel, session, home, file, virtualPath, bandwidth.downloads(session.account()),
                audit.recordsDownloadDigests() ? TransferDigest.sha256() : TransferDigest.orderOnly(), audit));
    }

    /** Adds a transfer to its session's open transfers, which it leaves when it ends. */
    private static <T extends Transfer> T opened(FerrySession session, T transfer) {
        session.transfers().opened(transfer);
        return transfer;
    }
}
