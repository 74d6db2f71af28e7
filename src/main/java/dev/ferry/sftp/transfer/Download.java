package dev.ferry.sftp.transfer;

import dev.ferry.sftp.session.FerrySession;
import dev.ferry.sftp.session.SftpAudit;
import dev.ferry.storage.UserHome;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A download: paced to the user's download bandwidth, counted, and recorded when the client
 * closes the file, with the SHA-256 of a whole file read in order (computed as the bytes pass)
 * or, for a partial read, how much of the file was read. A download cut off by a lost
 * connection is not recorded.
 */
public final class Download extends Transfer {

    private final UserHome home;
    private final Path file;
    /** Where the next read starts: MINA positions the channel before every read. */
    private long position;

    Download(SeekableByteChannel channel, FerrySession session, UserHome home, Path file, String virtualPath, RateLimiter pace,
            TransferDigest digest, SftpAudit audit) {
        super(channel, session, virtualPath, pace, digest, audit);
        this.home = home;
        this.file = file;
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
            boolean whole = digest.whole(size);
            String detail = !whole ? "partial read: " + bytes + " of " + size + " bytes"
                    : audit.recordsDownloadDigests() ? null : "whole file; no sha256 (sftp.audit.download-sha256=false)";
            audit.downloaded(session, virtualPath(), bytes, elapsedMs(), digest.hexIfWhole(size), detail, home.objectVersion(file));
        }
        delegate.close();
    }

    @Override
    public boolean suspend() {
        end(TransferState.SUSPENDED);
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
