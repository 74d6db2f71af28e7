package dev.ferry.usercas;

import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * The uploaded KRL as the API shows it.
 *
 * @param krlVersion  the version ssh-keygen wrote into it (it grows with each {@code ssh-keygen -k -u})
 * @param generatedAt when ssh-keygen wrote it
 * @param sha256      lowercase hex SHA-256 of the file, to compare with the one an operator holds
 */
public record RevokedKeysList(long krlVersion, Instant generatedAt, String comment, String sha256, int sizeBytes,
        OffsetDateTime uploadedAt, KrlContents contents) {
}
