package dev.ferry.sftp.subsystem;

import dev.ferry.audit.AuditType;
import dev.ferry.sftp.session.FerrySession;
import dev.ferry.sftp.session.SessionAccount;
import dev.ferry.sftp.session.SftpAudit;
import dev.ferry.sftp.transfer.MeteredUpload;
import java.nio.file.CopyOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.Handle;
import org.apache.sshd.sftp.server.SftpEventListener;

/**
 * Records the outcome of each SFTP operation after it ran: downloads (with the SHA-256 of a
 * whole file read in order, computed as the bytes pass), deletes, renames, directories,
 * links and attribute changes. Uploads are recorded by {@link MeteredUpload} on CLOSE.
 */
public final class AuditedOperations implements SftpEventListener {

    /** A download in progress: whether it read in order from offset 0, and the digest of those bytes. */
    private static final class Download {
        final long startedNanos = System.nanoTime();
        /** Null when digests of downloads are switched off. */
        final MessageDigest digest;
        boolean inOrder = true;
        long next;
        long bytes;

        Download(boolean withDigest) {
            this.digest = withDigest ? sha256() : null;
        }

        /** Whether everything up to {@code size} was read, in order, from offset 0. */
        boolean readWhole(long size) {
            return inOrder && next == size;
        }

        /** The hex SHA-256 of the bytes read, when they were the whole file and digests are on. */
        String sha256If(boolean whole) {
            return whole && digest != null ? HexFormat.of().formatHex(digest.digest()) : null;
        }

        /** Why the record has no digest, or null when it has one. */
        String detail(boolean whole, long size) {
            if (!whole) {
                return "partial read: " + bytes + " of " + size + " bytes";
            }
            return digest == null ? "whole file; no sha256 (sftp.audit.download-sha256=false)" : null;
        }
    }

    private static final AttributeKey<Download> DOWNLOAD = new AttributeKey<>();
    private static final Set<String> TIME_OR_MODE = Set.of("lastModifiedTime", "lastAccessTime", "creationTime", "permissions");

    private final SftpAudit audit;

    public AuditedOperations(SftpAudit audit) {
        this.audit = audit;
    }

    @Override
    public void open(ServerSession session, String remoteHandle, Handle localHandle) {
        if (localHandle instanceof FileHandle file && !(file.getFileChannel() instanceof MeteredUpload)) {
            file.setAttribute(DOWNLOAD, new Download(audit.recordsDownloadDigests()));
        }
    }

    @Override
    public void read(ServerSession session, String remoteHandle, FileHandle localHandle, long offset, byte[] data,
            int dataOffset, int dataLen, int readLen, Throwable thrown) {
        Download download = localHandle.getAttribute(DOWNLOAD);
        if (download == null || readLen <= 0) {
            return;
        }
        download.bytes += readLen;
        if (download.inOrder && offset == download.next) {
            if (download.digest != null) {
                download.digest.update(data, dataOffset, readLen);
            }
            download.next += readLen;
        } else {
            download.inOrder = false;
        }
    }

    @Override
    public void closing(ServerSession session, String remoteHandle, Handle localHandle) {
        Download download = localHandle.getAttribute(DOWNLOAD);
        FerrySession ferry = session.getAttribute(SessionAccount.FERRY_SESSION);
        if (download == null || ferry == null) {
            return;
        }
        localHandle.removeAttribute(DOWNLOAD);
        long size = sizeOf(localHandle.getFile());
        boolean whole = download.readWhole(size);
        audit.downloaded(ferry, AccessControl.virtual(localHandle.getFile()), download.bytes,
                (System.nanoTime() - download.startedNanos) / 1_000_000, download.sha256If(whole), "OK",
                download.detail(whole, size), SessionAccount.home(session).objectVersion(localHandle.getFile()));
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

    private static long sizeOf(Path path) {
        try {
            return Files.size(path);
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
