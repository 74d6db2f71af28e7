package dev.ferry.sftp.subsystem;

import dev.ferry.access.Permission;
import dev.ferry.sftp.session.FerrySession;
import dev.ferry.sftp.session.SessionAccount;
import dev.ferry.sftp.session.SftpAudit;
import dev.ferry.storage.UserHome;
import java.io.IOException;
import java.nio.file.CopyOption;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.apache.sshd.sftp.server.DirectoryHandle;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.Handle;
import org.apache.sshd.sftp.server.SftpEventListener;

/**
 * Decides before every SFTP operation whether the user's per-path permissions allow it; a refusal
 * changes nothing and says which permission is missing. A path is checked as named and as it
 * resolves through links, so a link never lends the rights of one path to another.
 */
public final class AccessControl implements SftpEventListener {

    private final SftpAudit audit;

    public AccessControl(SftpAudit audit) {
        this.audit = audit;
    }

    @Override
    public void opening(ServerSession session, String remoteHandle, Handle localHandle) throws IOException {
        Path path = localHandle.getFile();
        if (localHandle instanceof DirectoryHandle) {
            require(session, path, true, Permission.LIST);
            return;
        }
        if (localHandle instanceof FileHandle file) {
            Set<StandardOpenOption> options = file.getOpenOptions();
            boolean write = options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND);
            if (write && !(grantsEverywhere(session, Permission.OVERWRITE) && grantsEverywhere(session, Permission.UPLOAD))) {
                boolean exists = Files.exists(path, LinkOption.NOFOLLOW_LINKS);
                require(session, path, false, exists ? Permission.OVERWRITE : Permission.UPLOAD);
            }
            if (!write || options.contains(StandardOpenOption.READ)) {
                require(session, path, true, Permission.DOWNLOAD);
            }
        }
    }

    /**
     * MKDIR. The attributes sent with it (paramiko and OpenSSH send the mode) are part of creating
     * the directory, so MKDIR is all it needs; an owner or group among them is refused here,
     * before anything is created.
     */
    @Override
    public void creating(ServerSession session, Path path, Map<String, ?> attrs) throws IOException {
        require(session, path, false, Permission.MKDIR);
        if (attrs.keySet().stream().anyMatch(HomeFileSystemAccessor.OWNERSHIP_ATTRIBUTES::contains)) {
            deny(SessionAccount.ferrySession(session), virtual(path), "changing the owner or group is not allowed");
        }
    }

    @Override
    public void created(ServerSession session, Path path, Map<String, ?> attrs, Throwable thrown) {
        FerrySession ferry = session.getAttribute(SessionAccount.FERRY_SESSION);
        if (thrown == null && ferry != null) {
            ferry.created(virtual(path));
        }
    }

    @Override
    public void moving(ServerSession session, Path source, Path target, Collection<CopyOption> opts) throws IOException {
        require(session, source, false, Permission.RENAME);
        require(session, target, false, Permission.RENAME);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            require(session, target, false, Permission.OVERWRITE);
        }
    }

    @Override
    public void removing(ServerSession session, Path path, boolean isDirectory) throws IOException {
        require(session, path, false, isDirectory ? Permission.RMDIR : Permission.DELETE);
    }

    @Override
    public void linking(ServerSession session, Path link, Path target, boolean symLink) throws IOException {
        require(session, link, false, Permission.SYMLINK);
        Path absoluteTarget = link.toAbsolutePath().normalize().getParent().resolve(target.toString()).normalize();
        require(session, absoluteTarget, false, Permission.SYMLINK);
        if (!symLink) {
            require(session, absoluteTarget, false, Permission.DOWNLOAD);
        }
    }

    @Override
    public void modifyingAttributes(ServerSession session, Path path, Map<String, ?> attrs) throws IOException {
        FerrySession ferry = SessionAccount.ferrySession(session);
        if (path.getFileSystem() != SessionAccount.home(session).fileSystem()) {
            return; // the staged file of this session's own upload (FSETSTAT on its handle)
        }
        if (attrs.containsKey(org.apache.sshd.common.util.io.IoUtils.SIZE_VIEW_ATTR)) {
            // A truncation writes a new version of the file, however recently this session uploaded it.
            require(session, path, true, Permission.OVERWRITE);
            if (attrs.size() == 1) {
                return;
            }
        }
        if (ferry.createdRecently(virtual(path))) {
            return;
        }
        require(session, path, false, Permission.SETSTAT);
    }

    /** Whether the session's rules grant {@code permission} on every path, so no path needs to be looked at. */
    static boolean grantsEverywhere(ServerSession session, Permission permission) {
        return SessionAccount.ferrySession(session).permissions().grantsEverywhere(permission);
    }

    /** Checks a permission where {@code path} is named and where it resolves to; refusals are audited as DENIED. */
    void require(ServerSession session, Path path, boolean followFinal, Permission permission) throws IOException {
        FerrySession ferry = SessionAccount.ferrySession(session);
        if (ferry.permissions().grantsEverywhere(permission)) {
            return; // the same answer for every path: no need to resolve links (a realpath per operation)
        }
        String named = virtual(path);
        check(ferry, named, named, permission);
        UserHome home = SessionAccount.home(session);
        String resolved = virtual(home.resolveLinks(path, followFinal && Files.isSymbolicLink(path)));
        if (!resolved.equals(named)) {
            check(ferry, named, resolved, permission);
        }
    }

    private void check(FerrySession ferry, String named, String path, Permission permission) throws SftpException {
        if (!ferry.permissions().allows(path, permission)) {
            deny(ferry, named, "permission denied: '" + permission.apiName() + "' is not granted on " + path);
        }
    }

    /** Refuses the operation on {@code named}: audited as DENIED, answered SSH_FX_PERMISSION_DENIED. */
    private void deny(FerrySession ferry, String named, String message) throws SftpException {
        audit.denied(ferry, named, message);
        throw new SftpException(SftpConstants.SSH_FX_PERMISSION_DENIED, message);
    }

    static String virtual(Path path) {
        return path.toAbsolutePath().normalize().toString();
    }
}
