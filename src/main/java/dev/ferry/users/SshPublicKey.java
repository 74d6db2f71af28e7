package dev.ferry.users;

import dev.ferry.shared.InvalidInputException;
import dev.ferry.shared.Sha256;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * An SSH public key in OpenSSH's one-line format ({@code type base64 [comment]}), checked
 * structurally so that a pasted key that could never log in is refused at once, with a reason.
 *
 * @param type        e.g. {@code ssh-ed25519}
 * @param blob        the key in SSH wire format, as base64
 * @param comment     the free text after the key, or null
 * @param fingerprint {@code SHA256:...} as {@code ssh-keygen -l} prints it
 */
public record SshPublicKey(String type, String blob, String comment, String fingerprint) {

    /** Minimum RSA modulus: anything shorter is breakable or refused by current clients. */
    static final int MIN_RSA_BITS = 2048;
    private static final int MAX_LINE = 16 * 1024;

    private static final Map<String, Integer> ECDSA_POINT_LENGTHS = Map.of(
            "nistp256", 65, "nistp384", 97, "nistp521", 133);

    public static SshPublicKey parse(String field, String line) {
        if (line == null || line.isBlank()) {
            throw new InvalidInputException(field, "the public key is empty: paste one line like 'ssh-ed25519 AAAAC3Nz... comment'");
        }
        if (line.length() > MAX_LINE) {
            throw new InvalidInputException(field, "the public key is longer than " + MAX_LINE + " characters");
        }
        String trimmed = line.strip();
        if (trimmed.contains("\n") || trimmed.contains("\r")) {
            throw new InvalidInputException(field, "give one public key per entry, on a single line");
        }
        String[] parts = trimmed.split("\\s+", 3);
        String type = parts[0];
        if (type.equals("ssh-dss")) {
            throw new InvalidInputException(field, "DSA keys (ssh-dss) are refused as weak: use an ed25519, ecdsa or rsa (2048 bits or more) key");
        }
        if (!isSupportedType(type)) {
            throw new InvalidInputException(field, "'" + abbreviate(type) + "' is not a supported key type: the line must start with "
                    + "ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa, sk-ssh-ed25519@openssh.com or sk-ecdsa-sha2-nistp256@openssh.com "
                    + "(authorized_keys options such as from= or command= are not accepted here)");
        }
        if (parts.length < 2) {
            throw new InvalidInputException(field, "the key data after '" + type + "' is missing");
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(parts[1]);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(field, "the key data after '" + type + "' is not valid base64: was the key cut or wrapped when copied?");
        }
        try {
            checkBlob(type, blob);
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
            String reason = e.getMessage() == null ? "it is truncated or corrupted" : e.getMessage();
            throw new InvalidInputException(field, "the " + type + " key data is not a valid key: " + reason);
        }
        String comment = parts.length > 2 ? parts[2].strip() : null;
        if (comment != null && comment.length() > 255) {
            throw new InvalidInputException(field, "the key comment is longer than 255 characters");
        }
        if (comment != null && comment.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
            // PostgreSQL cannot store NUL, and escape sequences would reach terminals listing the keys
            throw new InvalidInputException(field, "the key comment contains control characters: use printable text");
        }
        if (comment != null && comment.isEmpty()) {
            comment = null;
        }
        return new SshPublicKey(type, Base64.getEncoder().encodeToString(blob), comment, fingerprintOf(blob));
    }

    /** {@code SHA256:<base64 without padding>} of a wire-format key blob. */
    public static String fingerprintOf(byte[] blob) {
        return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(Sha256.of(blob));
    }

    /** The key as one authorized_keys line. */
    public String toLine() {
        return type + " " + blob + (comment == null ? "" : " " + comment);
    }

    private static boolean isSupportedType(String type) {
        return type.equals("ssh-ed25519") || type.equals("ssh-rsa") || type.equals("ecdsa-sha2-nistp256")
                || type.equals("ecdsa-sha2-nistp384") || type.equals("ecdsa-sha2-nistp521")
                || type.equals("sk-ssh-ed25519@openssh.com") || type.equals("sk-ecdsa-sha2-nistp256@openssh.com");
    }

    private static void checkBlob(String type, byte[] blob) {
        ByteBuffer in = ByteBuffer.wrap(blob);
        String inner = new String(readString(in), StandardCharsets.US_ASCII);
        if (!inner.equals(type)) {
            throw new IllegalArgumentException("the data says '" + abbreviate(inner) + "' but the line says '" + type + "'");
        }
        switch (type) {
            case "ssh-ed25519" -> requireLength(readString(in), 32, "ed25519 key");
            case "sk-ssh-ed25519@openssh.com" -> {
                requireLength(readString(in), 32, "ed25519 key");
                readString(in); // application, e.g. "ssh:"
            }
            case "ssh-rsa" -> {
                BigInteger e = new BigInteger(readString(in));
                BigInteger n = new BigInteger(readString(in));
                if (e.signum() <= 0 || n.signum() <= 0) {
                    throw new IllegalArgumentException("negative RSA parameters");
                }
                if (n.bitLength() < MIN_RSA_BITS) {
                    throw new IllegalArgumentException("RSA keys need at least " + MIN_RSA_BITS + " bits, this one has " + n.bitLength());
                }
            }
            default -> { // ecdsa-sha2-nistpNNN and its security-key form
                String curve = new String(readString(in), StandardCharsets.US_ASCII);
                Integer length = ECDSA_POINT_LENGTHS.get(curve);
                if (length == null || !type.contains(curve)) {
                    throw new IllegalArgumentException("unknown curve '" + abbreviate(curve) + "'");
                }
                byte[] point = readString(in);
                requireLength(point, length, "curve point");
                if (point[0] != 4) {
                    throw new IllegalArgumentException("compressed curve points are not supported");
                }
                if (type.startsWith("sk-")) {
                    readString(in);
                }
            }
        }
        if (in.hasRemaining()) {
            throw new IllegalArgumentException("unexpected bytes after the key");
        }
    }

    private static byte[] readString(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new IllegalArgumentException("it is truncated or corrupted");
        }
        byte[] value = new byte[length];
        in.get(value);
        return value;
    }

    private static void requireLength(byte[] value, int length, String what) {
        if (value.length != length) {
            throw new IllegalArgumentException(what + " has " + value.length + " bytes instead of " + length);
        }
    }

    private static String abbreviate(String s) {
        String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 40 ? printable.substring(0, 40) + "..." : printable;
    }
}
