package dev.ferry.hostkeys;

import dev.ferry.shared.InvalidInputException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * Host key pairs as Ferry accepts, generates and stores them: ed25519, ECDSA on the NIST curves and
 * RSA of at least 2048 bits (3072 for keys Ferry generates), the algorithms {@code CryptoPolicy} can
 * sign with. DSA, RSA under 2048 bits and security-key types (which need hardware on the server) are
 * refused, as an audit with ssh-audit would flag them. Stored as an unencrypted OpenSSH private key,
 * as the first generated keys always were.
 */
public final class HostKeyMaterial {

    public static final String ED25519 = "ssh-ed25519";
    public static final String RSA = "ssh-rsa";
    static final Set<String> ECDSA = Set.of("ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521");
    static final int MIN_RSA_BITS = 2048;
    static final int MIN_GENERATED_RSA_BITS = 3072;
    static final int MAX_RSA_BITS = 8192;
    static final int DEFAULT_RSA_BITS = 3072;
    /** A private key is a few KiB even for RSA 8192 bits; anything far larger is not one. */
    static final int MAX_PRIVATE_KEY_CHARS = 32 * 1024;

    private HostKeyMaterial() {
    }

    /**
     * A new key pair for an algorithm as the API names it: {@code ed25519}, {@code ecdsa} (bits 256,
     * 384 or 521; 256 by default) or {@code rsa} (bits 3072 to 8192 in steps of 1024; 3072 by default).
     */
    static KeyPair generate(String algorithm, Integer bits) {
        if (algorithm == null || algorithm.isBlank()) {
            throw new InvalidInputException("algorithm", "algorithm is required to generate a key: ed25519, ecdsa or rsa "
                    + "(or give \"privateKey\" to import one)");
        }
        try {
            return switch (algorithm.strip().toLowerCase(Locale.ROOT)) {
                case "ed25519", "ssh-ed25519" -> {
                    if (bits != null && bits != 256) {
                        throw new InvalidInputException("bits", "ed25519 keys have 256 bits: leave \"bits\" out");
                    }
                    yield KeyUtils.generateKeyPair(ED25519, 256);
                }
                case "ecdsa" -> {
                    int size = bits == null ? 256 : bits;
                    if (size != 256 && size != 384 && size != 521) {
                        throw new InvalidInputException("bits", "ecdsa keys have 256, 384 or 521 bits, not " + size);
                    }
                    yield KeyUtils.generateKeyPair("ecdsa-sha2-nistp" + size, size);
                }
                case "rsa", "ssh-rsa" -> {
                    int size = bits == null ? DEFAULT_RSA_BITS : bits;
                    if (size < MIN_GENERATED_RSA_BITS || size > MAX_RSA_BITS || size % 1024 != 0) {
                        throw new InvalidInputException("bits", "generated rsa keys have " + MIN_GENERATED_RSA_BITS + " to "
                                + MAX_RSA_BITS + " bits in steps of 1024 (3072 or 4096 usually), not " + size);
                    }
                    yield KeyUtils.generateKeyPair(RSA, size);
                }
                case "dsa", "ssh-dss" -> throw new InvalidInputException("algorithm",
                        "ssh-dss (DSA) host keys are not offered: they are broken and OpenSSH no longer accepts them; use ed25519");
                default -> throw new InvalidInputException("algorithm",
                        "unknown host key algorithm '" + algorithm.strip() + "': use ed25519, ecdsa or rsa");
            };
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate a " + algorithm + " key", e);
        }
    }

    /**
     * The key pair in an imported private key: OpenSSH format ({@code ssh-keygen}'s default) or PEM,
     * encrypted only if {@code passphrase} is given. Exactly one key, of an accepted type and size.
     */
    static KeyPair parse(String privateKey, String passphrase) {
        if (privateKey.length() > MAX_PRIVATE_KEY_CHARS) {
            throw new InvalidInputException("privateKey", "the private key is longer than " + MAX_PRIVATE_KEY_CHARS
                    + " characters: give one key file's content, e.g. of ssh-keygen -t ed25519 -N '' -f hostkey");
        }
        List<KeyPair> pairs = new ArrayList<>();
        try {
            Iterable<KeyPair> loaded = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName("imported host key"),
                    new ByteArrayInputStream(privateKey.strip().concat("\n").getBytes(StandardCharsets.UTF_8)),
                    passphrase == null ? FilePasswordProvider.EMPTY : FilePasswordProvider.of(passphrase));
            if (loaded != null) {
                loaded.forEach(pairs::add);
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            String reason = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
            if (passphrase == null && (reason.contains("password") || reason.contains("passphrase") || reason.contains("encrypt"))) {
                throw new InvalidInputException("privateKey", "the private key is encrypted: give its \"passphrase\" too, "
                        + "or remove it first (ssh-keygen -p -N '' -f hostkey)");
            }
            if (passphrase != null && (reason.contains("password") || reason.contains("passphrase") || reason.contains("decrypt")
                    || reason.contains("padding") || reason.contains("check"))) {
                throw new InvalidInputException("passphrase", "the passphrase does not decrypt the private key");
            }
            throw new InvalidInputException("privateKey", "not a private key Ferry can read: give the whole content of an "
                    + "OpenSSH private key file (-----BEGIN OPENSSH PRIVATE KEY----- ...) or a PEM one");
        }
        if (pairs.size() != 1) {
            throw new InvalidInputException("privateKey", pairs.isEmpty()
                    ? "no private key found: give the whole content of an OpenSSH private key file "
                            + "(-----BEGIN OPENSSH PRIVATE KEY----- ...), not the .pub file"
                    : "the text holds " + pairs.size() + " keys: import one at a time");
        }
        KeyPair pair = pairs.get(0);
        checkAccepted(pair);
        return pair;
    }

    /** Refuses types and sizes an SSH audit flags, and those Ferry cannot sign with. */
    static void checkAccepted(KeyPair pair) {
        String type = KeyUtils.getKeyType(pair);
        if (type == null) {
            throw new InvalidInputException("privateKey", "this kind of key cannot be a host key: use ed25519, ECDSA or RSA");
        }
        if (type.equals(RSA)) {
            int bits = KeyUtils.getKeySize(pair.getPublic());
            if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
                throw new InvalidInputException("privateKey", "this RSA key has " + bits + " bits: host keys need "
                        + MIN_RSA_BITS + " to " + MAX_RSA_BITS + " (3072 recommended)");
            }
        } else if (!type.equals(ED25519) && !ECDSA.contains(type)) {
            throw new InvalidInputException("privateKey", type.equals("ssh-dss")
                    ? "ssh-dss (DSA) host keys are refused: they are broken and OpenSSH no longer accepts them; use ed25519"
                    : "a " + type + " key cannot be a host key: use ed25519, ECDSA (nistp256/384/521) or RSA");
        }
    }

    static String encode(KeyPair pair) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, "ferry host key", null, out);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot encode a " + KeyUtils.getKeyType(pair) + " key", e);
        }
        return out.toString(StandardCharsets.US_ASCII);
    }

    /** A stored key; its text was written by {@link #encode}. */
    static KeyPair decode(long id, String text) throws IOException, GeneralSecurityException {
        Iterable<KeyPair> pairs = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName("host key " + id),
                new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)), null);
        var it = pairs == null ? null : pairs.iterator();
        if (it == null || !it.hasNext()) {
            throw new GeneralSecurityException("the stored host key " + id + " cannot be read");
        }
        return it.next();
    }

    /** The public key as a known_hosts / authorized_keys line has it, without a comment. */
    static String publicLine(KeyPair pair) {
        return PublicKeyEntry.toString(pair.getPublic());
    }
}
