package dev.ferry.shared;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seals for the database the secrets Ferry must read back in clear: webhook signing secrets (an
 * HMAC needs the secret at every send) and TOTP secrets (every code is computed from it), so
 * neither can be stored hashed. They are encrypted (AES-256-GCM, the JDK's) with the key of
 * {@code sftp.secret-key} ({@code sftp.events.secret-key} is its older name), held outside the
 * database. Without that setting they are stored as given ({@code plain:}), as the database
 * password protects them, and a warning says so once; a key set later seals each secret when it
 * is next written and still reads the plain ones (and those stored before sealing existed, which
 * carry no prefix).
 */
public final class SecretBox {

    private static final Logger log = LoggerFactory.getLogger(SecretBox.class);
    private static final String SEALED = "aes-gcm:";
    private static final String PLAIN = "plain:";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;
    private volatile boolean warned;

    public SecretBox(String base64Key) {
        if (base64Key == null || base64Key.isBlank()) {
            key = null;
            return;
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64Key.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("sftp.secret-key must be base64 (e.g. `openssl rand -base64 32`)");
        }
        if (bytes.length != 32) {
            throw new IllegalArgumentException("sftp.secret-key must be 32 bytes (256 bits) in base64, not " + bytes.length
                    + " bytes; e.g. `openssl rand -base64 32`");
        }
        key = new SecretKeySpec(bytes, "AES");
    }

    /** A new random secret for a webhook, 32 bytes as URL-safe base64 prefixed {@code whsec_}. */
    public static String newWebhookSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The secret as stored: sealed with the key, or marked plain without one. */
    public String seal(String secret) {
        if (key == null) {
            if (!warned) {
                warned = true;
                log.warn("Secrets (webhook signing secrets, TOTP secrets) are stored unencrypted in the database: set "
                        + "sftp.secret-key (openssl rand -base64 32) to encrypt them");
            }
            return PLAIN + secret;
        }
        try {
            byte[] nonce = new byte[12];
            RANDOM.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            byte[] out = Arrays.copyOf(nonce, nonce.length + sealed.length);
            System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
            return SEALED + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("could not encrypt a secret", e);
        }
    }

    /** The secret in clear, from what {@link #seal} stored (or a value stored before sealing existed). */
    public String open(String stored) {
        if (stored.startsWith(PLAIN)) {
            return stored.substring(PLAIN.length());
        }
        if (!stored.startsWith(SEALED)) {
            return stored; // written before secrets were sealed (TOTP secrets until V27)
        }
        if (key == null) {
            throw new IllegalStateException("a secret is encrypted, and sftp.secret-key is not set");
        }
        try {
            byte[] in = Base64.getDecoder().decode(stored.substring(SEALED.length()));
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, in, 0, 12));
            return new String(cipher.doFinal(in, 12, in.length - 12), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a secret could not be decrypted with sftp.secret-key (was the key changed?)");
        }
    }
}
