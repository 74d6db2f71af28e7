package dev.ferry.shared;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256, the one hash Ferry uses for digests of files, keys, tokens and the audit chain. Every
 * Java runtime must provide it ({@link MessageDigest}'s contract), so its absence is no checked
 * exception for each caller to handle.
 */
public final class Sha256 {

    private Sha256() {
    }

    /** A new digest, for bytes that arrive in pieces (an upload, a download). */
    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    public static byte[] of(byte[] data) {
        return newDigest().digest(data);
    }

    /** Lowercase hex of the SHA-256 of {@code data}. */
    public static String hex(byte[] data) {
        return HexFormat.of().formatHex(of(data));
    }

    /** Lowercase hex of the SHA-256 of {@code text} in UTF-8. */
    public static String hex(String text) {
        return hex(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Lowercase hex of what {@code digest} has taken so far (and resets it). */
    public static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }
}
