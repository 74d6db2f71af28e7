package dev.ferry.shared;

import dev.samstevens.totp.code.DefaultCodeGenerator;
import dev.samstevens.totp.code.HashingAlgorithm;
import dev.samstevens.totp.exceptions.CodeGenerationException;
import dev.samstevens.totp.exceptions.QrGenerationException;
import dev.samstevens.totp.qr.QrData;
import dev.samstevens.totp.qr.ZxingPngQrGenerator;
import dev.samstevens.totp.secret.DefaultSecretGenerator;
import dev.samstevens.totp.util.Utils;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.OptionalLong;

/**
 * TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps, as every authenticator app reads from the
 * QR code), computed by the {@code dev.samstevens.totp} library; shared by admin MFA and the SFTP
 * users' {@code key+totp} login policy. A code matches the current step or one either side (clock
 * drift); which step matched is returned so the caller can refuse it a second time (replay), which
 * needs its own store.
 */
public final class Totp {

    public static final int PERIOD_SECONDS = 30;
    public static final int DIGITS = 6;
    private static final String ISSUER = "Ferry";

    /** What an enrolment shows once: the secret (typed by hand), its otpauth:// URI and a QR code of it (data: URI). */
    public record Enrolment(String secret, String otpauthUri, String qrCode) {

        @Override
        public String toString() {
            return "Enrolment[secret=****]";
        }
    }

    private static final DefaultCodeGenerator CODES = new DefaultCodeGenerator(HashingAlgorithm.SHA1, DIGITS);
    private static final DefaultSecretGenerator SECRETS = new DefaultSecretGenerator(32);

    private Totp() {
    }

    /** A new random secret (160 bits, base32). */
    public static String newSecret() {
        return SECRETS.generate();
    }

    /** The enrolment of a secret for an account named {@code label} (shown by the authenticator app). */
    public static Enrolment enrolment(String label, String secret) {
        QrData data = new QrData.Builder().label(label).secret(secret).issuer(ISSUER)
                .algorithm(HashingAlgorithm.SHA1).digits(DIGITS).period(PERIOD_SECONDS).build();
        try {
            ZxingPngQrGenerator png = new ZxingPngQrGenerator();
            return new Enrolment(secret, data.getUri(), Utils.getDataUriForImage(png.generate(data), png.getImageMimeType()));
        } catch (QrGenerationException e) {
            throw new IllegalStateException("the QR code could not be drawn", e);
        }
    }

    /** The 30-second step whose code {@code code} is (current, or one either side), or empty. */
    public static OptionalLong matchingStep(String secret, String code, Instant now) {
        if (secret == null || code == null || !code.strip().matches("\\d{" + DIGITS + "}")) {
            return OptionalLong.empty();
        }
        byte[] typed = code.strip().getBytes(StandardCharsets.US_ASCII);
        long current = now.getEpochSecond() / PERIOD_SECONDS;
        try {
            for (long step = current - 1; step <= current + 1; step++) {
                if (MessageDigest.isEqual(CODES.generate(secret, step).getBytes(StandardCharsets.US_ASCII), typed)) {
                    return OptionalLong.of(step);
                }
            }
        } catch (CodeGenerationException e) {
            throw new IllegalStateException("TOTP code could not be computed", e);
        }
        return OptionalLong.empty();
    }
}
