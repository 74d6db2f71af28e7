package dev.ferry.sftp.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import javax.crypto.AEADBadTagException;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.cipher.Cipher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The JDK-backed chacha20-poly1305@openssh.com against MINA's own implementation, packet by packet. */
class JceChaCha20Poly1305Test {

    private static final int[] PAYLOAD_SIZES = {8, 16, 63, 64, 65, 127, 128, 1000, 4096, 32768 + 13, 0};

    private final Random random = new Random(42);

    /** Sequence numbers from 0, from the middle, and across the 2^32 wrap. */
    @ParameterizedTest
    @ValueSource(longs = {0, 3, 0xFFFF_FFFDL})
    void encryptsExactlyAsMinaDoes(long firstSeq) throws Exception {
        byte[] key = randomBytes(64);
        Cipher ours = new JceChaCha20Poly1305();
        Cipher mina = BuiltinCiphers.cc20p1305_openssh.create();
        ours.init(Cipher.Mode.Encrypt, key, iv(firstSeq));
        mina.init(Cipher.Mode.Encrypt, key, iv(firstSeq));
        for (int size : PAYLOAD_SIZES) {
            byte[] packet = packet(size);
            byte[] expected = packet.clone();
            encrypt(mina, expected, size);
            encrypt(ours, packet, size);
            assertThat(packet).as("packet of %d bytes", size).isEqualTo(expected);
        }
    }

    @Test
    void decryptsWhatMinaEncryptsAndRefusesATamperedPacket() throws Exception {
        byte[] key = randomBytes(64);
        Cipher mina = BuiltinCiphers.cc20p1305_openssh.create();
        Cipher ours = new JceChaCha20Poly1305();
        mina.init(Cipher.Mode.Encrypt, key, iv(7));
        ours.init(Cipher.Mode.Decrypt, key, iv(7));
        for (int size : PAYLOAD_SIZES) {
            byte[] plain = packet(size);
            byte[] wire = plain.clone();
            encrypt(mina, wire, size);
            ours.updateAAD(wire, 0, 4);
            ours.update(wire, 4, size);
            assertThat(Arrays.copyOf(wire, 4 + size)).as("packet of %d bytes", size).isEqualTo(Arrays.copyOf(plain, 4 + size));
        }

        Cipher receiver = new JceChaCha20Poly1305();
        receiver.init(Cipher.Mode.Decrypt, key, iv(0));
        Cipher sender = BuiltinCiphers.cc20p1305_openssh.create();
        sender.init(Cipher.Mode.Encrypt, key, iv(0));
        byte[] wire = packet(100);
        encrypt(sender, wire, 100);
        wire[4 + 50] ^= 1;
        receiver.updateAAD(wire, 0, 4);
        assertThatThrownBy(() -> receiver.update(wire, 4, 100)).isInstanceOf(AEADBadTagException.class);
    }

    @Test
    void roundTripsItsOwnPackets() throws Exception {
        byte[] key = randomBytes(64);
        Cipher sender = new JceChaCha20Poly1305();
        Cipher receiver = new JceChaCha20Poly1305();
        sender.init(Cipher.Mode.Encrypt, key, iv(0));
        receiver.init(Cipher.Mode.Decrypt, key, iv(0));
        for (int i = 0; i < 50; i++) {
            int size = 8 + random.nextInt(40_000);
            byte[] plain = packet(size);
            byte[] wire = plain.clone();
            encrypt(sender, wire, size);
            assertThat(Arrays.copyOfRange(wire, 4, 4 + size)).isNotEqualTo(Arrays.copyOfRange(plain, 4, 4 + size));
            receiver.updateAAD(wire, 0, 4);
            receiver.update(wire, 4, size);
            assertThat(Arrays.copyOf(wire, 4 + size)).isEqualTo(Arrays.copyOf(plain, 4 + size));
        }
    }

    @Test
    void refusesANonceThatIsNoSequenceNumber() {
        byte[] iv = iv(0);
        iv[0] = 1;
        assertThatThrownBy(() -> new JceChaCha20Poly1305().init(Cipher.Mode.Encrypt, randomBytes(64), iv))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void isWhatThePolicyOffersUnderOpenSshsName() {
        assertThat(CryptoPolicy.ciphers(CryptoPolicy.Name.MODERN)).contains(JceChaCha20Poly1305.FACTORY)
                .doesNotContain(BuiltinCiphers.cc20p1305_openssh);
        assertThat(JceChaCha20Poly1305.FACTORY.getName()).isEqualTo("chacha20-poly1305@openssh.com");
        assertThat(CryptoPolicy.ciphers(CryptoPolicy.Name.FIPS)).doesNotContain(JceChaCha20Poly1305.FACTORY);
    }

    /** The length field, the payload, and room for the tag, as MINA lays out a packet. */
    private byte[] packet(int size) {
        byte[] packet = new byte[4 + size + 16];
        packet[0] = (byte) (size >>> 24);
        packet[1] = (byte) (size >>> 16);
        packet[2] = (byte) (size >>> 8);
        packet[3] = (byte) size;
        byte[] payload = randomBytes(size);
        System.arraycopy(payload, 0, packet, 4, size);
        return packet;
    }

    private static void encrypt(Cipher cipher, byte[] packet, int size) throws Exception {
        cipher.updateAAD(packet, 0, 4);
        cipher.update(packet, 4, size);
    }

    private static byte[] iv(long seq) {
        return new byte[] {0, 0, 0, 0, (byte) (seq >>> 24), (byte) (seq >>> 16), (byte) (seq >>> 8), (byte) seq};
    }

    private byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }
}
