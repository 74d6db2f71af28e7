package dev.ferry.shared;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

/** The test vectors of FIPS 180-2 (and NIST's for the empty message). */
class Sha256Test {

    @Test
    void knownDigests() {
        assertThat(Sha256.hex("")).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(Sha256.hex("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(Sha256.hex("abc".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(Sha256.of(new byte[0])).hasSize(32);
        assertThat(Sha256.hex("\u00e9")).as("text is hashed as UTF-8").isEqualTo(Sha256.hex(new byte[] {(byte) 0xc3, (byte) 0xa9}));
    }

    @Test
    void aDigestFedInPiecesEqualsTheWholeOne() {
        MessageDigest digest = Sha256.newDigest();
        digest.update("a".getBytes(StandardCharsets.US_ASCII));
        digest.update("bc".getBytes(StandardCharsets.US_ASCII));
        assertThat(Sha256.hex(digest)).isEqualTo(Sha256.hex("abc"));
    }
}
