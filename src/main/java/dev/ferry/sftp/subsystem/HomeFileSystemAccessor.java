package dev.ferry.sftp.subsystem;

import dev.ferry.quotas.QuotaLedger;
import dev.ferry.sftp.session.FerrySession;
import dev.ferry.sftp.session.SessionAccount;
import dev.ferry.sftp.status.SafeErrorMessages;
import dev.ferry.quotas.NameLocks;
import dev.ferry.sftp.transfer.Transfer;
import dev.ferry.sftp.transfer.Transfers;
import dev.ferry.sftp.transfer.Upload;
import dev.ferry.storage.Capability;
import dev.ferry.storage.UserHome;
import java.io.IOException;
import java.nio.channels.Channel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.sftp.server.DirectoryHandle;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.SftpFileSystemAccessor;
import org.apache.sshd.sftp.server.SftpSubsystemProxy;

/**
 * Every file system call of an SFTP session goes through here: paths are confined to the home
 * (through links too), writes are staged and published only on the client's CLOSE, and links
 * can only point inside the home.
 */
public final class HomeFileSystemAccessor implements SftpFileSystemAccessor {

    /** Set on a file handle when the client closed it, as opposed to a connection that dropped. */
    static final AttributeKey<Boolean> CLOSED_BY_CLIENT = new AttributeKey<>();

    /** Attributes that would change a file's owner or group: refused wherever a client sends them. */
    static final Set<String> OWNERSHIP_ATTRIBUTES = Set.of("uid", "gid", "owner", "group");

    private final Transfers transfers;
    private final QuotaLedger ledger;
    private final NameLocks nameLocks;

    public HomeFileSystemAccessor(Transfers transfers, QuotaLedger ledger) {
        this.transfers = transfers;
        this.ledger = ledger;
        this.nameLocks = transfers.nameLocks();
    }

    @Override
    public Path resolveLocalFilePath(SftpSubsystemProxy subsystem, Path rootDir, String remotePath)
            throws IOException, InvalidPathException {
        if (remotePath.indexOf('\0') >= 0) {
            throw new InvalidPathException(remotePath.replace('\0', '?'), "NUL character in path");
        }
        Path path = SftpFileSystemAccessor.super.resolveLocalFilePath(subsystem, rootDir, remotePath);
        home(subsystem).checkConfined(path, false);
        if (subsystem instanceof HomeSftpSubsystem home) {
            home.confinedInRequest = path;
        }
        return path;
    }

    @Override
    public SeekableByteChannel openFile(SftpSubsystemProxy subsystem, FileHandle fileHandle, Path file, String handle,
            Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
        UserHome home = home(subsystem);
        FerrySession session = SessionAccount.ferrySession(subsystem.getServerSession());
        if (options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND)) {
            // openForWrite takes the path as confined: resolveLocalFilePath checked it in this request
            if (!confinedInRequest(subsystem, file)) {
                confined(home, file, false);
            }
            return transfers.upload(session, home, home.openForWrite(file, options, attrs), AccessControl.virtual(file));
        }
        confined(home, file, true);
        return transfers.download(session, home, home.openIdentified(file), file, AccessControl.virtual(file));
    }

    @Override
    public void closeFile(SftpSubsystemProxy subsystem, FileHandle fileHandle, Path file, String handle,
            Channel channel, Set<? extends OpenOption> options) throws IOException {
        // A client's CLOSE publishes an upload and records a download; a lost connection records a cut-off upload.
        if (channel instanceof Transfer transfer) {
            if (Boolean.TRUE.equals(fileHandle.getAttribute(CLOSED_BY_CLIENT))) {
                transfer.commit();
            } else {
                transfer.suspend();
            }
            return;
        }
        SftpFileSystemAccessor.super.closeFile(subsystem, fileHandle, file, handle, channel, options);
    }

    /**
     * SETSTAT with a size (paramiko's truncate, sshfs's truncate of a file it has not open): a new
     * version of the file, its first {@code size} bytes or the file extended with zeros, staged and
     * published atomically as an upload is. Metered as an upload (extending reserves quota first,
     * shrinking frees what it cut) and recorded as the UPLOAD of that version, without a SHA-256,
     * so the digest recorded for the old content is dropped (the empty file's, for a size of 0).
     */
    void truncate(SftpSubsystemProxy subsystem, Path file, long size) throws IOException {
        if (size < 0) {
            throw new org.apache.sshd.sftp.common.SftpException(org.apache.sshd.sftp.common.SftpConstants.SSH_FX_BAD_MESSAGE,
                    "a size cannot be negative");
        }
        UserHome home = home(subsystem);
        FerrySession session = SessionAccount.ferrySession(subsystem.getServerSession());
        confined(home, file, true);
        Upload truncated = transfers.truncation(session, home, home.openForTruncate(file, size), AccessControl.virtual(file), size);
        try {
            truncated.truncate(size);
        } catch (IOException | RuntimeException e) {
            truncated.discard(SafeErrorMessages.describe(e));
            throw e;
        }
        truncated.commit();
    }

    @Override
    public DirectoryStream<Path> openDirectory(SftpSubsystemProxy subsystem, DirectoryHandle dirHandle, Path dir,
            String handle, LinkOption... linkOptions) throws IOException {
        confined(home(subsystem), dir, true);
        return SftpFileSystemAccessor.super.openDirectory(subsystem, dirHandle, dir, handle, linkOptions);
    }

    @Override
    public Map<String, ?> readFileAttributes(SftpSubsystemProxy subsystem, Path file, String view, LinkOption... options)
            throws IOException {
        boolean follow = follows(options);
        if (follow || !confinedInRequest(subsystem, file)) {
            confined(home(subsystem), file, follow);
        }
        return SftpFileSystemAccessor.super.readFileAttributes(subsystem, file, view, options);
    }

    @Override
    public void setFileAttribute(SftpSubsystemProxy subsystem, Path file, String view, String attribute, Object value,
            LinkOption... options) throws IOException {
        if (OWNERSHIP_ATTRIBUTES.contains(attribute)) {
            throw new AccessDeniedException(file.toString(), null, "changing the owner or group is not allowed");
        }
        confined(home(subsystem), file, follows(options));
        SftpFileSystemAccessor.super.setFileAttribute(subsystem, file, view, attribute, value, options);
    }

    @Override
    public void setFileOwner(SftpSubsystemProxy subsystem, Path file, java.security.Principal value,
            LinkOption... options) throws IOException {
        throw new AccessDeniedException(file.toString(), null, "changing the owner is not allowed");
    }

    @Override
    public void setGroupOwner(SftpSubsystemProxy subsystem, Path file, java.security.Principal value,
            LinkOption... options) throws IOException {
        throw new AccessDeniedException(file.toString(), null, "changing the group is not allowed");
    }

    @Override
    public void createLink(SftpSubsystemProxy subsystem, Path link, Path existing, boolean symLink) throws IOException {
        UserHome home = home(subsystem);
        home.require(symLink ? Capability.SYMLINKS : Capability.HARDLINKS, link);
        if (symLink) {
            home.createSymbolicLink(link, existing.toString());
            return;
        }
        if (account(subsystem).hasQuota()) {
            // A hard link is one more regular file of the same size that no upload reserved.
            throw new FileSystemException(link.toString(), null, "hard links are not available to users with a quota");
        }
        Path source = link.getFileSystem().getPath("/").resolve(existing.toString()).normalize();
        home.checkConfined(source, false);
        if (!Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileSystemException(source.toString(), null, "only regular files can be hard-linked");
        }
        long size = Files.size(source);
        Files.createLink(link, source);
        ledger.record(account(subsystem).id(), size, 1);
    }

    @Override
    public String resolveLinkTarget(SftpSubsystemProxy subsystem, Path link) throws IOException {
        // A link planted on disk may point outside the home: its target would name (and, made
        // home-relative, measure) the server's own directories.
        home(subsystem).checkConfined(link, true);
        return home(subsystem).readSymbolicLink(link);
    }

    @Override
    public void renameFile(SftpSubsystemProxy subsystem, Path oldPath, Path newPath, Collection<java.nio.file.CopyOption> opts)
            throws IOException {
        UserHome home = home(subsystem);
        home.checkConfined(oldPath, false);
        home.checkConfined(newPath, false);
        dev.ferry.users.LoginAccount account = account(subsystem);
        try (NameLocks.Held names = nameLocks.hold(account.username(), AccessControl.virtual(oldPath), AccessControl.virtual(newPath))) {
            long replaced = home.storedFileSize(newPath);
            SftpFileSystemAccessor.super.renameFile(subsystem, oldPath, newPath, opts);
            if (replaced >= 0 && !oldPath.equals(newPath)) {
                ledger.record(account.id(), -replaced, -1);
            }
        }
    }

    @Override
    public void removeFile(SftpSubsystemProxy subsystem, Path path, boolean isDirectory) throws IOException {
        if (isDirectory) {
            SftpFileSystemAccessor.super.removeFile(subsystem, path, true);
            return;
        }
        dev.ferry.users.LoginAccount account = account(subsystem);
        try (NameLocks.Held name = nameLocks.hold(account.username(), AccessControl.virtual(path))) {
            long size = home(subsystem).storedFileSize(path);
            SftpFileSystemAccessor.super.removeFile(subsystem, path, false);
            if (size >= 0) {
                ledger.record(account.id(), -size, -1);
            }
        }
    }

    private static dev.ferry.users.LoginAccount account(SftpSubsystemProxy subsystem) {
        return SessionAccount.ferrySession(subsystem.getServerSession()).account();
    }

    /** Server-side copies (copy-file, copy-data) would bypass quotas and permissions: not offered. */
    @Override
    public void copyFile(SftpSubsystemProxy subsystem, Path src, Path dst, Collection<java.nio.file.CopyOption> opts)
            throws IOException {
        throw new UnsupportedOperationException("server-side copy is not supported");
    }

    /**
     * Whether {@code path} is the very path this request resolved and confined (parent through
     * links): what is left to check without following the last element has been checked.
     */
    private static boolean confinedInRequest(SftpSubsystemProxy subsystem, Path path) {
        return subsystem instanceof HomeSftpSubsystem home && home.confinedInRequest == path;
    }

    /** The attributes of a path itself (links not followed), or null if nothing is there. */
    private static void confined(UserHome home, Path path, boolean followFinal) throws IOException {
        // Paths of other file systems are the server's own staging files, never a client's.
        if (path.getFileSystem() == home.fileSystem()) {
            home.checkConfined(path, followFinal);
        }
    }

    private static boolean follows(LinkOption... options) {
        for (LinkOption option : options) {
            if (option == LinkOption.NOFOLLOW_LINKS) {
                return false;
            }
        }
        return true;
    }

    private static UserHome home(SftpSubsystemProxy subsystem) {
        return SessionAccount.home(subsystem.getServerSession());
    }
}
