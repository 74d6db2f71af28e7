package dev.ferry.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.storage.UnsupportedByStorageException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;

/** Out-of-order writes, the window and the shared memory budget of S3 uploads, without S3. */
class PartAssemblerTest {

    static final int MIB = 1024 * 1024;

    /** What the upload does with an assembler: reserve, put, collect the parts that leave. */
    static final class Upload {
        final PartAssembler assembler;
        final TreeMap<Integer, byte[]> sent = new TreeMap<>();
        final List<PartAssembler.Part> inFlight = new ArrayList<>();

        Upload(long partSize, int partsInMemory, Semaphore budget) {
            assembler = new PartAssembler(partSize, partsInMemory, budget, "/f.bin");
        }

        int waits;

        /** Writes the bytes at the offset; where there is no room until a part lands, the oldest one lands (as S3Upload waits for it). */
        void write(long offset, byte[] bytes) throws FileSystemException {
            ByteBuffer src = ByteBuffer.wrap(bytes);
            while (src.hasRemaining()) {
                long at = offset + src.position();
                if (!assembler.reserve(at)) {
                    assertThat(inFlight).as("no room only while a part is in flight").isNotEmpty();
                    waits++;
                    landOne();
                    continue;
                }
                PartAssembler.Part full = assembler.put(at, src);
                if (full != null) {
                    inFlight.add(full);
                }
            }
        }

        /** The oldest part in flight reaches S3. */
        void landOne() {
            PartAssembler.Part part = inFlight.remove(0);
            sent.put(part.index(), Arrays.copyOf(part.bytes(), part.length()));
            assembler.landed();
        }

        void landAll() {
            while (!inFlight.isEmpty()) {
                landOne();
            }
        }

        byte[] file() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            sent.values().forEach(out::writeBytes);
            return out.toByteArray();
        }
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void aPartLeavesOnceEveryByteOfItIsThereInAnyOrder() throws Exception {
        Upload upload = new Upload(4096, 4, new Semaphore(8));
        byte[] file = random(3 * 4096, 1);
        // part 1 first, then part 0 backwards in pieces, then part 2
        upload.write(4096, Arrays.copyOfRange(file, 4096, 8192));
        assertThat(upload.inFlight).extracting(PartAssembler.Part::index).containsExactly(1);
        for (int start = 4096 - 1000; start > -1000; start -= 1000) {
            int from = Math.max(0, start);
            upload.write(from, Arrays.copyOfRange(file, from, start + 1000));
        }
        assertThat(upload.inFlight).extracting(PartAssembler.Part::index).containsExactly(1, 0);
        upload.write(8192, Arrays.copyOfRange(file, 8192, file.length));
        upload.landAll();
        assertThat(upload.file()).isEqualTo(file);
        assertThat(upload.assembler.hasLeft(2)).isTrue();
    }

    @Test
    void writesFarAheadOfMissingBytesAreRefusedWithTheGapAndTheWindowInTheMessage() throws Exception {
        Upload upload = new Upload(MIB, 4, new Semaphore(8));
        upload.write(0, new byte[100]); // part 0 has a gap from byte 100
        upload.write(MIB, new byte[10]);
        upload.write(2L * MIB, new byte[10]);
        upload.write(3L * MIB, new byte[10]);
        assertThatThrownBy(() -> upload.write(4L * MIB, new byte[10])).isInstanceOf(FileSystemException.class)
                .hasMessageContaining("write at offset " + 4 * MIB + " is too far ahead of the missing bytes at offset 100: "
                        + "writes may arrive out of order within 4 MiB");
    }

    @Test
    void aFullWindowWaitsForAPartInFlightInsteadOfRefusing() throws Exception {
        Upload upload = new Upload(4096, 2, new Semaphore(8));
        upload.write(0, new byte[4096]); // part 0 in flight
        upload.write(4096, new byte[10]); // part 1 filling: two held
        assertThat(upload.assembler.reserve(8192)).as("window full, a part in flight: wait").isFalse();
        upload.landOne();
        assertThat(upload.assembler.reserve(8192)).isTrue();
    }

    @Test
    void bytesThatLeftCannotBeRewrittenNorCutAndTheFileHasAnEnd() throws Exception {
        Upload upload = new Upload(MIB, 4, new Semaphore(8));
        upload.write(0, new byte[MIB]);
        assertThatThrownBy(() -> upload.write(10, new byte[1])).hasMessageContaining(
                "cannot rewrite offset 10: that part of the file was already sent to the storage");
        upload.write(MIB, new byte[20]);
        assertThatThrownBy(() -> upload.assembler.truncate(MIB - 1)).isInstanceOf(UnsupportedByStorageException.class)
                .hasMessageContaining("truncating to " + (MIB - 1) + " bytes is not supported on S3 storage: the first " + MIB
                        + " bytes of this upload were already sent to the storage");
        assertThatThrownBy(() -> upload.assembler.reserve((long) PartAssembler.MAX_PARTS * MIB))
                .hasMessageContaining("file too large for S3 storage with parts of 1 MiB (at most 10000 parts)");
        assertThat(upload.assembler.reserve((long) PartAssembler.MAX_PARTS * MIB - 1)).isTrue(); // the last byte S3 can take
    }

    @Test
    void aTruncationCutsWhatIsInMemoryAndExtendingReadsZeros() throws Exception {
        Upload upload = new Upload(4096, 4, new Semaphore(8));
        byte[] ones = new byte[3 * 4096];
        Arrays.fill(ones, (byte) 1);
        upload.write(0, Arrays.copyOf(ones, 4096 + 100)); // part 0 leaves, part 1 holds 100 bytes
        upload.write(2 * 4096, Arrays.copyOf(ones, 50)); // part 2 holds 50 bytes
        upload.assembler.truncate(4096 + 10); // part 2 dropped, part 1 cut to 10 bytes
        assertThat(upload.assembler.hasLeft(2)).isFalse();
        PartAssembler.Part part1 = upload.assembler.remaining(1, 4096);
        PartAssembler.Part part2 = upload.assembler.remaining(2, 20);
        assertThat(Arrays.copyOfRange(part1.bytes(), 0, 10)).containsOnly(1);
        assertThat(Arrays.copyOfRange(part1.bytes(), 10, 4096)).containsOnly(0);
        assertThat(Arrays.copyOf(part2.bytes(), part2.length())).as("a part never written").containsOnly(0).hasSize(20);
    }

    @Test
    void aSmallFileIsOnePutOfItsFirstPart() throws Exception {
        Upload upload = new Upload(4096, 4, new Semaphore(8));
        assertThat(upload.assembler.isOnePut(0)).isTrue();
        assertThat(upload.assembler.firstPart(0)).isEmpty();
        upload.write(0, new byte[] {1, 2, 3});
        assertThat(upload.assembler.isOnePut(3)).isTrue();
        assertThat(Arrays.copyOf(upload.assembler.firstPart(3), 3)).containsExactly(1, 2, 3);
        upload.write(5000, new byte[] {4});
        assertThat(upload.assembler.isOnePut(5001)).isFalse();
        upload.assembler.truncate(3);
        assertThat(upload.assembler.isOnePut(3)).isTrue();
        upload.assembler.alreadyStored(0);
        assertThat(upload.assembler.isOnePut(3)).as("a part copied inside S3: a multipart upload").isFalse();
    }

    @Test
    void theStartOfAReplacedObjectFillsTheFirstPartHeld() throws Exception {
        Upload upload = new Upload(4096, 4, new Semaphore(8));
        upload.assembler.alreadyStored(0);
        upload.assembler.fill(1, new ByteArrayInputStream(new byte[] {9, 9, 9}), 3);
        assertThatThrownBy(() -> upload.write(0, new byte[1])).hasMessageContaining("cannot rewrite offset 0");
        upload.write(4096 + 3, new byte[4096 - 3]);
        assertThat(upload.inFlight).hasSize(1);
        assertThat(Arrays.copyOf(upload.inFlight.get(0).bytes(), 3)).containsExactly(9, 9, 9);
    }

    @Test
    void anUploadAlwaysHasOneBufferAndBorrowsTheRestFromTheSharedBudget() throws Exception {
        Semaphore budget = new Semaphore(1);
        Upload first = new Upload(4096, 4, budget);
        Upload second = new Upload(4096, 4, budget);
        first.write(0, new byte[4096]); // part 0 in flight: its own buffer
        first.write(4096, new byte[10]); // part 1: the budget's one permit
        assertThat(budget.availablePermits()).isZero();
        assertThat(first.assembler.reserve(2 * 4096)).as("budget spent, a part in flight: wait for it").isFalse();
        second.write(0, new byte[10]); // the second upload's own buffer needs no permit
        assertThat(second.assembler.reserve(4096))
                .as("budget spent, nothing in flight (only parts with gaps): over the budget rather than stall").isTrue();
        first.landOne();
        assertThat(budget.availablePermits()).as("part 0 landed: one buffer held, no permit needed").isOne();
        first.assembler.dropFilling();
        second.assembler.dropFilling();
        assertThat(budget.availablePermits()).isOne();
    }

    @Test
    void manyUploadsWritingOutOfOrderWithinTheWindowAssembleExactlyAndGiveTheBudgetBack() throws Exception {
        int partSize = 1024;
        int window = 4;
        Semaphore budget = new Semaphore(5);
        Random random = new Random(7);
        List<Upload> uploads = new ArrayList<>();
        List<byte[]> files = new ArrayList<>();
        List<List<int[]>> pieces = new ArrayList<>();
        for (int u = 0; u < 6; u++) {
            byte[] file = random(partSize * 7 + random.nextInt(partSize), u);
            List<int[]> order = new ArrayList<>();
            // pieces shuffled within each window of parts, as pipelined clients send them
            for (int windowStart = 0; windowStart < file.length; windowStart += partSize * window) {
                List<int[]> inWindow = new ArrayList<>();
                for (int at = windowStart; at < Math.min(file.length, windowStart + partSize * window); ) {
                    int length = Math.min(1 + random.nextInt(700), Math.min(file.length, windowStart + partSize * window) - at);
                    inWindow.add(new int[] {at, length});
                    at += length;
                }
                Collections.shuffle(inWindow, random);
                order.addAll(inWindow);
            }
            uploads.add(new Upload(partSize, window, budget));
            files.add(file);
            pieces.add(order);
        }
        int[] next = new int[uploads.size()];
        boolean progress = true;
        while (progress) {
            progress = false;
            for (int u = 0; u < uploads.size(); u++) {
                Upload upload = uploads.get(u);
                if (next[u] < pieces.get(u).size()) {
                    int[] piece = pieces.get(u).get(next[u]);
                    upload.write(piece[0], Arrays.copyOfRange(files.get(u), piece[0], piece[0] + piece[1]));
                    next[u]++;
                    progress = true;
                } else if (!upload.inFlight.isEmpty()) {
                    upload.landOne();
                    progress = true;
                }
                if (random.nextInt(3) == 0 && !upload.inFlight.isEmpty()) {
                    upload.landOne();
                }
            }
        }
        for (int u = 0; u < uploads.size(); u++) {
            Upload upload = uploads.get(u);
            byte[] file = files.get(u);
            int last = (file.length - 1) / partSize;
            if (!upload.assembler.hasLeft(last)) {
                upload.inFlight.add(upload.assembler.remaining(last, file.length - last * partSize));
            }
            upload.landAll();
            assertThat(upload.file()).as("upload %d", u).isEqualTo(file);
        }
        assertThat(uploads.stream().mapToInt(upload -> upload.waits).sum()).as("the window and the budget made writes wait").isPositive();
        assertThat(budget.availablePermits()).as("every borrowed buffer given back").isEqualTo(5);
    }
}
