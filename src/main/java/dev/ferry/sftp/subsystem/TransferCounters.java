package dev.ferry.sftp.subsystem;

import dev.ferry.sftp.session.FerrySession;
import dev.ferry.sftp.session.SessionAccount;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.Handle;
import org.apache.sshd.sftp.server.SftpEventListener;

/** Counts SFTP payload bytes read by each session and names the transfer in progress. */
public final class TransferCounters implements SftpEventListener {

    @Override
    public void open(ServerSession session, String remoteHandle, Handle localHandle) {
        if (localHandle instanceof FileHandle) {
            FerrySession ferry = session.getAttribute(SessionAccount.FERRY_SESSION);
            if (ferry != null) {
                ferry.currentTransfer(AccessControl.virtual(localHandle.getFile()));
            }
        }
    }

    @Override
    public void read(ServerSession session, String remoteHandle, FileHandle localHandle, long offset, byte[] data,
            int dataOffset, int dataLen, int readLen, Throwable thrown) {
        FerrySession ferry = session.getAttribute(SessionAccount.FERRY_SESSION);
        if (ferry != null && readLen > 0) {
            ferry.sent(readLen);
        }
    }

    @Override
    public void closed(ServerSession session, String remoteHandle, Handle localHandle, Throwable thrown) {
        FerrySession ferry = session.getAttribute(SessionAccount.FERRY_SESSION);
        if (ferry != null && localHandle instanceof FileHandle) {
            ferry.currentTransfer(null);
        }
    }
}
