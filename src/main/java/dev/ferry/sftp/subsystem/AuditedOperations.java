package dev.ferry.sftp.subsystem;

import dev.ferry.audit.AuditType;
import dev.ferry.sftp.session.FerrySession;
import dev.ferry.sftp.session.SessionAccount;
import dev.ferry.sftp.session.SftpAudit;
import java.nio.file.CopyOption;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.SftpEventListener;

/**
 * Records the outcome of each SFTP operation after it ran: deletes, renames, directories, links
 * and attribute changes. Transfers (uploads, downloads) record themselves when they end (see
 * {@code sftp.transfer.Transfer}).
 */
public final class AuditedOperations implements SftpEventListener {

    private static final Set<String> TIME_OR_MODE = Set.of("lastModifiedTime", "lastAccessTime", "creationTime", "permissions");

    private final SftpAudit audit;

    public AuditedOperations(SftpAudit audit) {
        this.audit = audit;
    }

    @Override
    public void created(ServerSession session, Path path, Map<String, ?> attrs, Throwable thrown) {
        record(session, AuditType.MKDIR, path, null, thrown, null);
    }

    @Override
    public void moved(ServerSession session, Path source, Path target, Collection<CopyOption> opts, Throwable thrown) {
        record(session, AuditType.RENAME, source, AccessControl.virtual(target), thrown, null);
    }

    @Override
    public void removed(ServerSession session, Path path, boolean isDirectory, Throwable thrown) {
        record(session, isDirectory ? AuditType.RMDIR : AuditType.DELETE, path, null, thrown, null);
    }

    @Override
    public void linked(ServerSession session, Path source, Path target, boolean symLink, Throwable thrown) {
        record(session, AuditType.SYMLINK, source, target.toString(), thrown, symLink ? "symbolic link" : "hard link");
    }

    @Override
    public void modifiedAttributes(ServerSession session, Path path, Map<String, ?> attrs, Throwable thrown) {
        if (path.getFileSystem() != SessionAccount.home(session).fileSystem()) {
            return; // times and mode set on this session's own upload before it is published
        }
        if (thrown == null && attrs.size() == 1 && attrs.containsKey("size")) {
            return; // a truncation: recorded as the UPLOAD of the file's new version
        }
        record(session, AuditType.SETSTAT, path, null, thrown, "changed " + String.join(", ",
                attrs.keySet().stream().filter(TIME_OR_MODE::contains).sorted().toList()));
    }

    private void record(ServerSession session, AuditType type, Path path, String target, Throwable thrown, String detail) {
        FerrySession ferry = session.getAttribute(SessionAccount.FERRY_SESSION);
        if (ferry == null) {
            return;
        }
        audit.operation(ferry, type, AccessControl.virtual(path), target, thrown, detail);
    }
}
