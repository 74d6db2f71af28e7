package dev.ferry.users;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.shared.InvalidInputException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Parsing of pasted OpenSSH public keys. The fixtures were made once with {@code ssh-keygen -t ...}
 * and the fingerprints are what {@code ssh-keygen -lf} printed for them.
 */
class SshPublicKeyTest {

    static final String ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICLqqKfqAdjJkcpM0uGJnKLzUUylHXdql8bmKI+kmT2l partner laptop";
    static final String ED25519_FP = "SHA256:QQCNrNjgfqjgIKif0oCtRdOyDSHMOu0EohOrqv37UYU";

    static final String ECDSA256 = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBJ3dQPh9UMoLjAv/QR91FSUo0Wtx"
            + "30kiWfZcOQ2gGmKMg4Ojy9Aec2eWkGbJK61aXtNvAh+6LE40fvCSVKKeKhw= ec256";
    static final String ECDSA256_FP = "SHA256:ed49VT6KW3r+80I7hptE7i6/YOBFUetNptR60zm8POg";

    static final String ECDSA384 = "ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBApC6si09oPhy2GXAID/fjwvyzE7"
            + "/Vkak8x/sb5iMxPDVmwx90S7p2T5yxgQLy5lvre7hE4r2eh0VEAtKlYBDerwbuAczKWDggM4kbpLoIr7LzAtKoClv0UsGNtNCAKt0A== ec384";
    static final String ECDSA384_FP = "SHA256:kHq0FLgHmIXchE5poNt0qC8dOd8Tn5sNtrDDCj1xsLA";

    static final String ECDSA521 = "ecdsa-sha2-nistp521 AAAAE2VjZHNhLXNoYTItbmlzdHA1MjEAAAAIbmlzdHA1MjEAAACFBAGbqExIKyZnTVxYWI8/AYVNKjeB"
            + "xbrjV6taop7aQ8vMAcCCCsPpXaBvJ8zxorbQPnCo2w8wagkXK0jJzxQErAtrdwDrYH88DkZCTX1K3jCNefPrw6sR0qMBFedH90I+aZVgb8PMZLfHdzWm348s"
            + "w3+iSymuIlbB780GxUuCGli7zfD/jw== ec521";
    static final String ECDSA521_FP = "SHA256:x+IRvwqFEETwu1K7WeO3so2PvbHLlvvBY7qryblREqI";

    static final String RSA3072 = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQDI3IiEIRn7Nx1naZK2S4xS0hIWJf66Pp/TLcHz0d8qtSg0xxbQRgSaTubwaBud"
            + "XeByE5Xxkh5wqINMDwc0SAgP00gZ4sIqU39+W8oq861tWXypD6cjtEumXwy5nZDNsrdIcMWSnc+7kHe7lYQveM/cm94x62bAusFT8yEAjRGB2Fbgl/w+EM388j8+"
            + "mpHJqgPzhXyE8ihReqFPdGRt3qenxnTMGgROwWZTSKuAnraSjBVWzIcsI7yazQVp7zJT5QE7Ib653atKoe7enawGLG4GmvPvY0GjTO1exeri7s4H53w4fIQRLmhS"
            + "EPdlj6d/vxnXnYUr+YW8Uif4z2FXpKU4tp0nvLWiedoWhDjGpTUYD33SZo+1W1s2vUBkc0YV+4ZVEhK58dNfh/o2XJNvZsZwLXWzNR4QsUIGwOOkylGNo87r1Hdd"
            + "iHKlOZoa18rEO1luigGVEl7RY0Zxzjn9VX/ih8nAPdVqt9TDSmBxUHD78MxOBXy1xd5X50HpUBjeefU= rsa3072";
    static final String RSA3072_FP = "SHA256:9Fqvnj+gA6R9uDGXdmTob3MaeofngvU6yP26bgaJx24";

    static final String RSA1024 = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQCuh1rrQOXabg9V32KWEfsEzZNaahmQAyVZZyE9QAoavlX2VtfloFW42g3wqOxI"
            + "tWt4zDq+k52UxJSrxd0/rzMvgXQY9h5BXlJSh/OUl3uBZH1kdC9XRtXrMzlC0NKIT86tfI1fssJ5pw86oyYQnWN1Iq7CndJLv6Z5Bq0h02mhOw== rsa1024";

    static final String DSA = "ssh-dss AAAAB3NzaC1kc3MAAACBALiLq8b6RTAVuG3sUmH5pxORL3Vx+8Qtnt/kA6wcGn6s1sO9ezg/F8iL/5Va52pFjeVUJ7MN"
            + "VkJ57DbMTXWeFVazGTLRyrA/i07vkZJMrSlYUd4pqZz+9MI2otbbyRVx16SQoh+GJy5GAoubDeCZ6/cC5dS5oUtnk4gIwfyi57VJAAAAFQDZM0LO7FSTZ0e7aFVu"
            + "tzTyoZ/WbwAAAIAqiWIyXPILPiUV8VcVUfg5g2B2WKQOd9oDTn5Y+x+BPOXi4HClQ9+UF91Oy/QM+aaPFTMNPSKpS2i0r2iNVcfIsBbiL/RFCgp8C00gVWeJzOvy"
            + "MKQyqArSm+ZWmQwBsMZ09ifuFFw+Wlk5+1J7UWaXa2WcXM0MRG8ZVwkMVbvaXAAAAIApiOGj02dp24IbklEbZLqecRtv0UZUqMvNqxTufJSomWuLO41WNHKsuEUh"
            + "3b1Zj/Lc24eYeJy6hcmy1H2Qm1prixyZ1v443fBL/UPJovUq3fiaEEAeqCsnO8x5LsArmoEhuv98xMZ3ClzdbDkrS5eeUsm3ISegHVOPKDpkjFYN9g== root@vm";

    /** A FIDO ed25519 key (hand-built: ssh-keygen needs a token to make one); ssh-keygen -lf accepts it. */
    static final String SK_ED25519 = "sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIAECAwQFBgcICQoLDA0ODxAREhMU"
            + "FRYXGBkaGxwdHh8gAAAABHNzaDo= yubikey";
    static final String SK_ED25519_FP = "SHA256:nX0hpi5mKbTIJ10yBq5/sLQhiI1Y0RBAqN0drDdgJWs";

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "ssh-ed25519, " + ED25519_FP,
            "ecdsa-sha2-nistp256, " + ECDSA256_FP,
            "ecdsa-sha2-nistp384, " + ECDSA384_FP,
            "ecdsa-sha2-nistp521, " + ECDSA521_FP,
            "ssh-rsa, " + RSA3072_FP,
            "sk-ssh-ed25519@openssh.com, " + SK_ED25519_FP,
    })
    void acceptsKeysOfEverySupportedTypeWithTheFingerprintSshKeygenPrints(String type, String fingerprint) {
        String line = switch (type) {
            case "ssh-ed25519" -> ED25519;
            case "ecdsa-sha2-nistp256" -> ECDSA256;
            case "ecdsa-sha2-nistp384" -> ECDSA384;
            case "ecdsa-sha2-nistp521" -> ECDSA521;
            case "ssh-rsa" -> RSA3072;
            default -> SK_ED25519;
        };
        SshPublicKey key = SshPublicKey.parse("publicKey", line);
        assertThat(key.type()).isEqualTo(type);
        assertThat(key.fingerprint()).isEqualTo(fingerprint);
        assertThat(key.toLine()).isEqualTo(line);
    }

    @Test
    void keepsTheCommentWithItsInnerSpacesAndNormalisesSurroundingWhitespace() {
        String[] parts = ED25519.split(" ", 3);
        SshPublicKey key = SshPublicKey.parse("publicKey", "  " + parts[0] + " \t " + parts[1] + "   partner  laptop \n");
        assertThat(key.comment()).isEqualTo("partner  laptop");
        assertThat(key.toLine()).isEqualTo(parts[0] + " " + parts[1] + " partner  laptop");
        assertThat(key.fingerprint()).isEqualTo(ED25519_FP);
    }

    @Test
    void acceptsAKeyWithoutCommentOrBase64Padding() {
        String[] parts = ECDSA256.split(" ");
        SshPublicKey key = SshPublicKey.parse("publicKey", parts[0] + " " + parts[1].replace("=", ""));
        assertThat(key.comment()).isNull();
        assertThat(key.blob()).isEqualTo(parts[1]);
        assertThat(key.fingerprint()).isEqualTo(ECDSA256_FP);
        assertThat(key.toLine()).isEqualTo(parts[0] + " " + parts[1]);
    }

    @Test
    void fingerprintOfTheWireBlobMatchesSshKeygen() {
        byte[] blob = Base64.getDecoder().decode(RSA3072.split(" ")[1]);
        assertThat(SshPublicKey.fingerprintOf(blob)).isEqualTo(RSA3072_FP);
    }

    // ---- rejections, each with a message a person can act on ---------------------------

    @Test
    void refusesAnEmptyOrBlankKey() {
        refused(null).hasMessageContaining("the public key is empty");
        refused("").hasMessageContaining("the public key is empty");
        refused("   ").hasMessageContaining("the public key is empty");
    }

    @Test
    void refusesAnOverlongLine() {
        refused("ssh-ed25519 " + "A".repeat(17 * 1024)).hasMessageContaining("longer than 16384 characters");
    }

    @Test
    void refusesTwoKeysInOneEntry() {
        refused(ED25519 + "\n" + ECDSA256).hasMessageContaining("one public key per entry, on a single line");
    }

    @Test
    void refusesDsaKeysAsWeak() {
        refused(DSA).hasMessageContaining("DSA keys (ssh-dss) are refused as weak");
    }

    @Test
    void refusesAnUnknownTypeWord() {
        refused("ssh-foo " + ED25519.split(" ")[1]).hasMessageContaining("'ssh-foo' is not a supported key type");
    }

    @Test
    void refusesATypeWordThatOnlyStartsLikeAnEcdsaType() {
        // the blob says the same made-up type and a real curve: still not a key any client can use
        String type = "ecdsa-sha2-nistp2561";
        byte[] point = new byte[65];
        point[0] = 4;
        String line = type + " " + blob(str(type), str("nistp256"), point);
        refused(line).hasMessageContaining("'ecdsa-sha2-nistp2561' is not a supported key type");
    }

    @Test
    void refusesAuthorizedKeysOptionsBeforeTheKey() {
        refused("from=\"203.0.113.0/24\" " + ED25519)
                .hasMessageContaining("is not a supported key type")
                .hasMessageContaining("authorized_keys options such as from= or command= are not accepted");
        refused("no-pty,no-port-forwarding " + ED25519).hasMessageContaining("authorized_keys options");
    }

    @Test
    void refusesATypeWithoutKeyData() {
        refused("ssh-ed25519").hasMessageContaining("the key data after 'ssh-ed25519' is missing");
    }

    @Test
    void refusesKeyDataThatIsNotBase64() {
        refused("ssh-ed25519 AAAA$$$$ laptop").hasMessageContaining("is not valid base64: was the key cut or wrapped when copied?");
        // a length of 4n+1 cannot be base64
        String data = ED25519.split(" ")[1];
        refused("ssh-ed25519 " + data.substring(0, 45)).hasMessageContaining("is not valid base64");
    }

    @Test
    void refusesTruncatedKeyData() {
        String data = ED25519.split(" ")[1];
        refused("ssh-ed25519 " + data.substring(0, 40) + " laptop")
                .hasMessageContaining("the ssh-ed25519 key data is not a valid key: it is truncated or corrupted");
        String rsa = RSA3072.split(" ")[1];
        refused("ssh-rsa " + rsa.substring(0, 200)).hasMessageContaining("truncated or corrupted");
    }

    @Test
    void refusesKeyDataOfAnotherTypeThanTheLineSays() {
        refused("ssh-rsa " + ED25519.split(" ")[1])
                .hasMessageContaining("the data says 'ssh-ed25519' but the line says 'ssh-rsa'");
    }

    @Test
    void refusesRsaKeysShorterThan2048Bits() {
        refused(RSA1024).hasMessageContaining("RSA keys need at least 2048 bits, this one has 1024");
    }

    @Test
    void refusesAnEd25519KeyOfTheWrongLength() {
        refused("ssh-ed25519 " + blob(str("ssh-ed25519"), new byte[31]))
                .hasMessageContaining("ed25519 key has 31 bytes instead of 32");
    }

    @Test
    void refusesAnEcdsaKeyWhoseCurveDoesNotMatchItsType() {
        byte[] point = new byte[97];
        point[0] = 4;
        refused("ecdsa-sha2-nistp256 " + blob(str("ecdsa-sha2-nistp256"), str("nistp384"), point))
                .hasMessageContaining("curve 'nistp384'");
    }

    @Test
    void refusesCompressedEcdsaPoints() {
        byte[] point = new byte[65];
        point[0] = 2;
        refused("ecdsa-sha2-nistp256 " + blob(str("ecdsa-sha2-nistp256"), str("nistp256"), point))
                .hasMessageContaining("compressed curve points are not supported");
    }

    @Test
    void refusesBytesAfterTheKey() {
        byte[] data = Base64.getDecoder().decode(ED25519.split(" ")[1]);
        byte[] longer = Arrays.copyOf(data, data.length + 3);
        refused("ssh-ed25519 " + Base64.getEncoder().encodeToString(longer))
                .hasMessageContaining("unexpected bytes after the key");
    }

    @Test
    void refusesAnOverlongComment() {
        refused(ED25519.split(" ")[0] + " " + ED25519.split(" ")[1] + " " + "c".repeat(256))
                .hasMessageContaining("the key comment is longer than 255 characters");
        assertThat(SshPublicKey.parse("k", ED25519.split(" ")[0] + " " + ED25519.split(" ")[1] + " " + "c".repeat(255)).comment())
                .hasSize(255);
    }

    @Test
    void refusesControlCharactersInTheComment() {
        // PostgreSQL cannot store NUL in text: this must be a 400, not a database error
        refused(ED25519 + "\u0000x").hasMessageContaining("the key comment contains control characters");
        refused(ED25519 + "\u001b[31m").hasMessageContaining("the key comment contains control characters");
    }

    @Test
    void namesTheFieldItWasGiven() {
        assertThatThrownBy(() -> SshPublicKey.parse("publicKeys[3]", DSA))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("publicKeys[3]"));
    }

    // ---- helpers --------------------------------------------------------------------------

    private static AbstractThrowableAssert<?, ? extends Throwable> refused(String line) {
        return assertThatThrownBy(() -> SshPublicKey.parse("publicKey", line))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("publicKey"));
    }

    private static byte[] str(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** SSH wire format: each part as a uint32-length-prefixed string, then base64. */
    private static String blob(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(ByteBuffer.allocate(4).putInt(part.length).array());
            out.writeBytes(part);
        }
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }
}
