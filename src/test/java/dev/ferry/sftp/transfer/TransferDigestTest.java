package dev.ferry.sftp.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The digest every transfer keeps as its bytes pass, packet by packet, as MINA hands them over. */
class TransferDigestTest {

    private static final byte[] FILE = new Random(17).ints(100_000, 0, 256).collect(() -> new java.io.ByteArrayOutputStream(),
            (out, b) -> out.write(b), (a, b) -> a.write(b.toByteArray(), 0, b.size())).toByteArray();

    @Test
    void bytesInOrderGiveTheSha256OfTheWholeFileAndLeaveTheBuffersAsTheyWere() throws Exception {
        TransferDigest digest = TransferDigest.sha256();
        for (int at = 0; at < FILE.length; at += 32_768) {
            int length = Math.min(32_768, FILE.length - at);
            // As MINA wraps its packet: a view of a larger array, the bytes already consumed by the channel.
            byte[] packet = new byte[length + 20];
            System.arraycopy(FILE, at, packet, 13, length);
            ByteBuffer buffer = ByteBuffer.wrap(packet, 13, length);
            buffer.position(buffer.limit());
            digest.update(at, buffer, 13, length);
            assertThat(buffer.position()).isEqualTo(13 + length);
            assertThat(buffer.limit()).isEqualTo(13 + length);
        }
        assertThat(digest.whole(FILE.length)).isTrue();
        assertThat(digest.hexIfWhole(FILE.length)).isEqualTo(sha256(FILE));
    }

    @Test
    void bytesOutOfOrderGiveNoDigest() {
        TransferDigest digest = TransferDigest.sha256();
        digest.update(0, ByteBuffer.wrap(FILE, 0, 100), 0, 100);
        digest.update(200, ByteBuffer.wrap(FILE, 200, 100), 200, 100);
        digest.update(100, ByteBuffer.wrap(FILE, 100, 100), 100, 100);
        assertThat(digest.whole(300)).isFalse();
        assertThat(digest.hexIfWhole(300)).isNull();
    }

    @Test
    void aPartOfTheFileIsNotTheWholeFile() {
        TransferDigest digest = TransferDigest.sha256();
        digest.update(0, ByteBuffer.wrap(FILE, 0, 100), 0, 100);
        assertThat(digest.whole(FILE.length)).isFalse();
        assertThat(digest.hexIfWhole(FILE.length)).isNull();
    }

    @Test
    void orderOnlyTellsAWholeReadWithoutADigest() {
        TransferDigest digest = TransferDigest.orderOnly();
        digest.update(0, ByteBuffer.wrap(FILE), 0, FILE.length);
        assertThat(digest.whole(FILE.length)).isTrue();
        assertThat(digest.hexIfWhole(FILE.length)).isNull();
    }

    @Test
    void noneIsNeverWhole() {
        TransferDigest digest = TransferDigest.none();
        digest.update(0, ByteBuffer.wrap(FILE), 0, FILE.length);
        assertThat(digest.whole(FILE.length)).isFalse();
    }

    @Test
    void truncationToZeroStartsAgainAndAnyOtherCutEndsTheDigest() throws Exception {
        TransferDigest restarted = TransferDigest.sha256();
        restarted.update(0, ByteBuffer.wrap(FILE, 0, 500), 0, 500);
        restarted.truncated(500); // no change
        restarted.truncated(0);
        restarted.update(0, ByteBuffer.wrap(FILE, 0, 300), 0, 300);
        assertThat(restarted.hexIfWhole(300)).isEqualTo(sha256(java.util.Arrays.copyOf(FILE, 300)));

        TransferDigest cut = TransferDigest.sha256();
        cut.update(0, ByteBuffer.wrap(FILE, 0, 500), 0, 500);
        cut.truncated(200);
        assertThat(cut.whole(200)).isFalse();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
