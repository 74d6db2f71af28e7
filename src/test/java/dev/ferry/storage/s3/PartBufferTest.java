package dev.ferry.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PartBufferTest {

    @Test
    void isFullOnlyWhenEveryByteWasWrittenInAnyOrder() {
        for (long seed = 0; seed < 50; seed++) {
            int capacity = 4096;
            PartBuffer buffer = new PartBuffer(capacity, seed % 2 == 0);
            byte[] expected = new byte[capacity];
            List<int[]> pieces = new ArrayList<>();
            Random random = new Random(seed);
            for (int start = 0; start < capacity; ) {
                int length = Math.min(capacity - start, 1 + random.nextInt(300));
                pieces.add(new int[] {start, length});
                start += length;
            }
            Collections.shuffle(pieces, random);
            for (int i = 0; i < pieces.size(); i++) {
                int[] piece = pieces.get(i);
                byte[] bytes = new byte[piece[1]];
                random.nextBytes(bytes);
                System.arraycopy(bytes, 0, expected, piece[0], bytes.length);
                assertThat(buffer.isFull()).as("seed %d before piece %d", seed, i).isFalse();
                buffer.put(piece[0], ByteBuffer.wrap(bytes), bytes.length);
            }
            assertThat(buffer.isFull()).as("seed %d", seed).isTrue();
            assertThat(java.util.Arrays.copyOf(buffer.bytes(capacity), capacity)).isEqualTo(expected);
        }
    }

    @Test
    void overlappingWritesKeepTheLastBytesAndTheFirstGapIsKnown() {
        PartBuffer buffer = new PartBuffer(100, false);
        buffer.put(0, ByteBuffer.wrap(new byte[40]), 40);
        buffer.put(60, ByteBuffer.wrap(new byte[40]), 40);
        assertThat(buffer.firstMissing()).isEqualTo(40);
        assertThat(buffer.isFull()).isFalse();
        byte[] middle = new byte[30];
        java.util.Arrays.fill(middle, (byte) 7);
        buffer.put(35, ByteBuffer.wrap(middle), 30);
        assertThat(buffer.isFull()).isTrue();
        assertThat(buffer.bytes(100)[35]).isEqualTo((byte) 7);
        assertThat(buffer.bytes(100)[64]).isEqualTo((byte) 7);
        assertThat(buffer.bytes(100)[65]).isZero();
    }

    @Test
    void aPartWithAGapAtTheStartIsMissingFromZero() {
        PartBuffer buffer = new PartBuffer(100, false);
        buffer.put(10, ByteBuffer.wrap(new byte[90]), 90);
        assertThat(buffer.firstMissing()).isZero();
        assertThat(buffer.isFull()).isFalse();
    }

    @Test
    void aTruncatedPartForgetsWhatWasWrittenPastTheCutAndReadsZerosThere() {
        PartBuffer buffer = new PartBuffer(4096, false);
        byte[] ones = new byte[4096];
        java.util.Arrays.fill(ones, (byte) 1);
        buffer.put(0, ByteBuffer.wrap(ones), 4000);
        buffer.truncate(1000);
        assertThat(buffer.firstMissing()).isEqualTo(1000);
        byte[] bytes = buffer.bytes(4096);
        assertThat(bytes[999]).isEqualTo((byte) 1);
        assertThat(java.util.Arrays.copyOfRange(bytes, 1000, 4096)).containsOnly(0);

        buffer.put(1000, ByteBuffer.wrap(ones), 3096);
        assertThat(buffer.isFull()).isTrue();
        buffer.truncate(0);
        assertThat(buffer.firstMissing()).isZero();
        assertThat(buffer.isFull()).isFalse();
    }
}
