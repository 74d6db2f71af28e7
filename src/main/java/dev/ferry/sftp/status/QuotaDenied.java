package dev.ferry.sftp.status;

import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

/**
 * A request refused because it would exceed the user's quota: answered as any failure
 * ({@code SSH_FX_FAILURE}, SFTP v3 has no quota status) with the ledger's reason, and counted by
 * its type in {@code ferry_sftp_quota_denials_total}.
 */
public final class QuotaDenied extends SftpException {

    private static final long serialVersionUID = 1L;

    public QuotaDenied(String message) {
        super(SftpConstants.SSH_FX_FAILURE, message);
    }
}
