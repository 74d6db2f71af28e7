package dev.ferry.sftp.transfer;

import dev.ferry.sftp.session.FerrySession;
import dev.ferry.sftp.session.SftpAudit;
import dev.ferry.storage.IdentifiedRead;
import dev.ferry.storage.UserHome;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A download: paced to the user's download bandwidth, counted, and recorded when the client
 * closes the file, with the SHA-256 of a whole file read in order or, for a partial read, how
 * much of the file was read. A download cut off by a lost connection is not recorded.
 * <p>
 * The SHA-256 comes from {@link KnownDigests} when the content's identity at open has a stored
 * digest, and is used only if the identity is the same again when the client closes the file: the
 * file is then not hashed at all. Otherwise it is computed as the bytes pass and, when the file did
 * not change during the read, kept for the next download.
 */
public final class Download extends Transfer {

    private final UserHome home;
    private final Path file;
    private final KnownDigests digests;
    /** The identity of the content at open (see {@link UserHome#openIdentified}), or null. */
    private final String identity;
    /** The stored digest of that content, or null: then {@link #digest} hashes. */
    private final String known;
    /** Where the next read starts: MINA positions the channel before every read. */
    private long position;

    Download(IdentifiedRead read, FerrySession session, UserHome home, Path file, String virtualPath, RateLimiter pace,
            TransferDigest digest, SftpAudit audit, KnownDigests digests, String known) {
        super(read.channel(), session, virtualPath, pace, digest, audit);
        this.home = home;
        this.file = file;
        this.digests = digests;
        this.identity = read.identity();
        this.known = known;
    }

    @Override
    public boolean isUpload() {
        return false;
    }

    @Override
    public SeekableByteChannel position(long newPosition) throws IOException {
        delegate.position(newPosition);
        position = newPosition;
        return this;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        int start = dst.position();
        int read = delegate.read(dst);
        if (read > 0) {
            moved(position, dst, start, read);
            position += read;
            session.sent(read);
            pace(read);
        }
        return read;
    }

    /** The client closed the file: records the download, then closes the file. */
    @Override
    public void commit() throws IOException {
        if (end(TransferState.COMMITTED)) {
            long size = sizeOf(file);
            String sha256 = null;
            String detail = null;
            if (!digest.whole(size)) {
                detail = "partial read: " + bytes + " of " + size + " bytes";
            } else if (!audit.recordsDownloadDigests()) {
                detail = "whole file; no sha256 (sftp.audit.download-sha256=false)";
            } else if (known != null) {
                // The stored digest is of the content at open: used only if nothing changed it since.
                if (unchanged()) {
                    sha256 = known;
                } else {
                    detail = "whole file; no sha256: the file changed while it was read";
                }
            } else {
                sha256 = digest.hexIfWhole(size);
                if (sha256 != null && unchanged()) {
                    rememberQuietly(sha256, size);
                }
            }
            digests.hashed(digest.hashedBytes());
            audit.downloaded(session, virtualPath(), bytes, elapsedMs(), sha256, detail, home.objectVersion(file));
        }
        delegate.close();
    }

    /** Whether the file's identity now is the one at open. */
    private boolean unchanged() {
        try {
            return identity != null && identity.equals(home.contentIdentity(file));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** A digest not kept is computed again next time: no reason to fail the download's record. */
    private void rememberQuietly(String sha256, long size) {
        try {
            digests.remember(session.account().username(), virtualPath(), identity, sha256, size);
        } catch (RuntimeException e) {
            // the store is unreachable; the record still has the digest
        }
    }

    @Override
    public boolean suspend() {
        if (end(TransferState.SUSPENDED)) {
            digests.hashed(digest.hashedBytes());
        }
        try {
            delegate.close();
        } catch (IOException e) {
            // the connection is gone; nothing is left to tell
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        suspend();
    }

    private static long sizeOf(Path path) {
        try {
            return Files.size(path);
        } catch (IOException e) {
            return -1;
        }
    }
}
