package dev.ferry.sftp.transfer;

import dev.ferry.audit.FileDigests;
import dev.ferry.shared.Sha256;
import dev.ferry.storage.IdentifiedRead;
import dev.ferry.storage.UserHome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Optional;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.springframework.stereotype.Component;

/**
 * The SHA-256 of files Ferry already knows, so a download or a check-file does not read a file
 * again to learn it: each stored digest is tied to the identity of the content it was computed
 * from ({@link UserHome#contentIdentity}), and used only while the file still has that identity.
 * Digests come from uploads (computed as the bytes arrive) and from downloads and check-files that
 * had to hash (kept for next time). Bytes hashed to learn a digest are counted in
 * {@code ferry_digest_hashed_bytes_total}: 0 for a download answered from the store.
 */
@Component
public class KnownDigests {

    private static final int READ_BUFFER = 256 * 1024;

    private final FileDigests store;
    private final Counter hashed;

    KnownDigests(FileDigests store, MeterRegistry registry) {
        this.store = store;
        this.hashed = Counter.builder("ferry.digest.hashed").baseUnit("bytes")
                .description("Bytes read through SHA-256 for a download's record or a check-file whose digest was not known")
                .register(registry);
    }

    /** The digest of the content {@code identity} names under the path, if one is known. */
    Optional<String> known(String username, String virtualPath, String identity) {
        return store.known(username, virtualPath, identity);
    }

    /** Keeps {@code sha256} as the digest of the content {@code identity} names. */
    void remember(String username, String virtualPath, String identity, String sha256, long size) {
        store.remember(username, virtualPath, identity, sha256, size);
    }

    /** Counts bytes hashed for a download's record. */
    void hashed(long bytes) {
        if (bytes > 0) {
            hashed.increment(bytes);
        }
    }

    /**
     * The SHA-256 of the whole file (check-file): the known one while the file's identity matches,
     * else read and hashed now, and kept for next time when the file did not change meanwhile.
     */
    public String digestOf(UserHome home, Path file, String username, String virtualPath) throws IOException {
        Optional<String> known = known(username, virtualPath, home.contentIdentity(file));
        if (known.isPresent()) {
            return known.get();
        }
        IdentifiedRead read = home.openIdentified(file);
        MessageDigest sha256 = Sha256.newDigest();
        long size = 0;
        try (SeekableByteChannel channel = read.channel()) {
            ByteBuffer buffer = ByteBuffer.allocate(READ_BUFFER);
            int n;
            while ((n = channel.read(buffer)) >= 0) {
                buffer.flip();
                sha256.update(buffer);
                buffer.clear();
                size += n;
            }
        } finally {
            hashed(size);
        }
        String hex = Sha256.hex(sha256);
        if (read.identity() != null) {
            if (!read.identity().equals(home.contentIdentity(file))) {
                throw new SftpException(SftpConstants.SSH_FX_FAILURE, "the file changed while its sha256 was computed; ask again");
            }
            remember(username, virtualPath, read.identity(), hex, size);
        }
        return hex;
    }
}
