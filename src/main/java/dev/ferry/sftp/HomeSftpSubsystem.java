package dev.ferry.sftp;

import dev.ferry.storage.SpaceInfo;
import dev.ferry.storage.StagedWrite;
import java.io.IOException;
import java.nio.file.LinkOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.extensions.openssh.AbstractOpenSSHExtensionParser.OpenSSHExtension;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.Handle;
import org.apache.sshd.sftp.server.SftpSubsystem;
import org.apache.sshd.sftp.server.SftpSubsystemConfigurator;

/**
 * MINA's SFTP subsystem with what Ferry adds: {@code statvfs@openssh.com} (OpenSSH's {@code df}),
 * uploads published only on the client's CLOSE, and stat/setstat of an open upload handle
 * answered from the staged file.
 */
class HomeSftpSubsystem extends SftpSubsystem {

    static final String STATVFS = "statvfs@openssh.com";
    static final String FSTATVFS = "fstatvfs@openssh.com";
    /** statvfs f_flag bit: ST_NOSUID, the server never honours setuid bits. */
    private static final long ST_NOSUID = 0x2;
    private static final long BLOCK_SIZE = 4096;

    HomeSftpSubsystem(ChannelSession channel, SftpSubsystemConfigurator configurator) {
        super(channel, configurator);
    }

    @Override
    protected List<OpenSSHExtension> resolveOpenSSHExtensions(ServerSession session) {
        List<OpenSSHExtension> extensions = new ArrayList<>(super.resolveOpenSSHExtensions(session));
        extensions.add(new OpenSSHExtension(STATVFS, "2"));
        extensions.add(new OpenSSHExtension(FSTATVFS, "2"));
        return extensions;
    }

    @Override
    protected void executeExtendedCommand(Buffer buffer, int id, String extension) throws IOException {
        switch (extension) {
            case STATVFS -> {
                String path = buffer.getString();
                statvfs(buffer, id, () -> resolveFile(path));
            }
            case FSTATVFS -> {
                String handle = buffer.getString();
                statvfs(buffer, id, () -> validateHandle(handle, handles.get(handle), Handle.class).getFile());
            }
            default -> super.executeExtendedCommand(buffer, id, extension);
        }
    }

    @Override
    protected void doClose(int id, String handle) throws IOException {
        Handle h = handles.get(handle);
        if (h instanceof FileHandle) {
            h.setAttribute(HomeFileSystemAccessor.CLOSED_BY_CLIENT, Boolean.TRUE);
        }
        super.doClose(id, handle);
    }

    @Override
    protected Map<String, Object> doFStat(int id, String handle, int flags) throws IOException {
        StagedWrite upload = upload(handle);
        if (upload == null) {
            return super.doFStat(id, handle, flags);
        }
        return resolveFileAttributes(upload.stagedFile(), flags, true, LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    protected void doFSetStat(int id, String handle, Map<String, ?> attrs) throws IOException {
        StagedWrite upload = upload(handle);
        if (upload == null) {
            super.doFSetStat(id, handle, attrs);
            return;
        }
        doSetAttributes(SftpConstants.SSH_FXP_FSETSTAT, "", upload.stagedFile(), attrs, false);
    }

    /**
     * SFTP v3, what OpenSSH and most clients speak, has status codes up to OP_UNSUPPORTED; MINA's
     * finer ones (file exists, directory not empty, ...) reach those clients as "Unknown status".
     * They are mapped as OpenSSH's sftp-server maps the errors; the message keeps the detail.
     */
    @Override
    protected void sendStatus(Buffer buffer, int id, int substatus, String msg, String lang) throws IOException {
        super.sendStatus(buffer, id, getVersion() <= SftpConstants.SFTP_V3 ? v3Status(substatus) : substatus, msg, lang);
    }

    static int v3Status(int status) {
        if (status <= SftpConstants.SSH_FX_OP_UNSUPPORTED) {
            return status;
        }
        return switch (status) {
            case SftpConstants.SSH_FX_NO_SUCH_PATH, SftpConstants.SSH_FX_NOT_A_DIRECTORY, SftpConstants.SSH_FX_LINK_LOOP ->
                    SftpConstants.SSH_FX_NO_SUCH_FILE;
            case SftpConstants.SSH_FX_WRITE_PROTECT, SftpConstants.SSH_FX_CANNOT_DELETE -> SftpConstants.SSH_FX_PERMISSION_DENIED;
            case SftpConstants.SSH_FX_INVALID_FILENAME, SftpConstants.SSH_FX_INVALID_PARAMETER -> SftpConstants.SSH_FX_BAD_MESSAGE;
            default -> SftpConstants.SSH_FX_FAILURE;
        };
    }

    private StagedWrite upload(String handle) {
        Handle h = handles.get(handle);
        if (h instanceof FileHandle fileHandle && fileHandle.getFileChannel() instanceof StagedWrite upload) {
            return upload;
        }
        return null;
    }

    private interface PathSupplier {
        java.nio.file.Path get() throws IOException;
    }

    private void statvfs(Buffer buffer, int id, PathSupplier target) throws IOException {
        SpaceInfo space;
        try {
            target.get();
            space = SessionAccount.home(getServerSession()).space();
        } catch (IOException | RuntimeException e) {
            sendStatus(prepareReply(buffer), id, e, SftpConstants.SSH_FXP_EXTENDED, STATVFS);
            return;
        }
        Buffer reply = prepareReply(buffer);
        reply.putByte((byte) SftpConstants.SSH_FXP_EXTENDED_REPLY);
        reply.putInt(id);
        reply.putLong(BLOCK_SIZE);                           // f_bsize
        reply.putLong(BLOCK_SIZE);                           // f_frsize
        reply.putLong(space.totalBytes() / BLOCK_SIZE);      // f_blocks
        reply.putLong(space.freeBytes() / BLOCK_SIZE);       // f_bfree
        reply.putLong(space.availableBytes() / BLOCK_SIZE);  // f_bavail
        reply.putLong(0);                                    // f_files: not tracked
        reply.putLong(0);                                    // f_ffree
        reply.putLong(0);                                    // f_favail
        reply.putLong(0);                                    // f_fsid
        reply.putLong(ST_NOSUID);                            // f_flag
        reply.putLong(255);                                  // f_namemax
        send(reply);
    }
}
