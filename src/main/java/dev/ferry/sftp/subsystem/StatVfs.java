package dev.ferry.sftp.subsystem;

import dev.ferry.quotas.QuotaLedger;
import dev.ferry.quotas.Usage;
import dev.ferry.storage.SpaceInfo;
import dev.ferry.storage.UserHome;
import dev.ferry.users.LoginAccount;
import java.io.IOException;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.sftp.common.SftpConstants;

/**
 * The answer to {@code statvfs@openssh.com} (OpenSSH's {@code df}): the space of the store that
 * holds the home or, for a user with a quota, the quota and what is left of it; the file quota as
 * the number of inodes.
 */
record StatVfs(SpaceInfo space, long maxFiles, long usedFiles) {

    /** statvfs f_flag bit: ST_NOSUID, the server never honours setuid bits. */
    private static final long ST_NOSUID = 0x2;
    private static final long BLOCK_SIZE = 4096;

    static StatVfs of(UserHome home, LoginAccount account, QuotaLedger ledger) throws IOException {
        SpaceInfo space = home.space();
        if (!account.hasQuota()) {
            return new StatVfs(space, 0, 0);
        }
        // With a quota, df shows the quota and what is left of it, not the disk.
        Usage usage = ledger.usage(account.id());
        if (account.quotaMaxBytes() > 0) {
            long left = Math.max(0, account.quotaMaxBytes() - usage.usedBytes());
            space = new SpaceInfo(account.quotaMaxBytes(), Math.min(left, space.freeBytes()), Math.min(left, space.availableBytes()));
        }
        return new StatVfs(space, account.quotaMaxFiles(), usage.usedFiles());
    }

    void write(Buffer reply, int id) {
        reply.putByte((byte) SftpConstants.SSH_FXP_EXTENDED_REPLY);
        reply.putInt(id);
        reply.putLong(BLOCK_SIZE);                           // f_bsize
        reply.putLong(BLOCK_SIZE);                           // f_frsize
        reply.putLong(space.totalBytes() / BLOCK_SIZE);      // f_blocks
        reply.putLong(space.freeBytes() / BLOCK_SIZE);       // f_bfree
        reply.putLong(space.availableBytes() / BLOCK_SIZE);  // f_bavail
        reply.putLong(maxFiles);                             // f_files: the file quota, 0 if none
        reply.putLong(Math.max(0, maxFiles - usedFiles));    // f_ffree
        reply.putLong(Math.max(0, maxFiles - usedFiles));    // f_favail
        reply.putLong(0);                                    // f_fsid
        reply.putLong(ST_NOSUID);                            // f_flag
        reply.putLong(255);                                  // f_namemax
    }
}
