package dev.ferry.storage.s3;

import dev.ferry.storage.UnsupportedByStorageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * Puts the bytes of one upload into parts as they arrive, in any order, within bounded memory:
 * a part leaves (to be sent to S3) once every byte of it is there, and then can no longer change.
 * An upload holds at most {@code partsInMemory} buffers (parts being filled and parts being
 * sent), which is how far ahead of missing bytes a write may land; its first buffer is always
 * there, more are borrowed from the budget all uploads share, and given back as parts land.
 * <p>
 * No I/O and no threads of its own: the upload asks where a write may go ({@link #reserve}) and
 * sends the parts this hands out. Its methods are synchronized because a part that lands gives
 * its memory back from a sender thread ({@link #landed}); none of them ever waits.
 */
final class PartAssembler {

    static final int MAX_PARTS = 10_000;

    /** A part ready to be sent: its index (from 0, S3's part number minus one) and bytes. */
    record Part(int index, byte[] bytes, int length) {
    }

    private final long partSize;
    private final int partsInMemory;
    private final Semaphore sharedBudget;
    private final String path;
    private final Map<Integer, PartBuffer> filling = new HashMap<>();
    /** Parts that left for S3 (sent, being sent, copied inside S3 or resumed): no write may change them. */
    private final BitSet left = new BitSet();
    /** Parts handed out whose bytes are still held until S3 has them. */
    private int inFlight;
    /** Permits of {@link #sharedBudget} held: buffers beyond the first one. */
    private int borrowed;

    /**
     * @param sharedBudget part buffers all uploads together may hold beyond the one each always has
     * @param path         the file's path as the client named it, for messages
     */
    PartAssembler(long partSize, int partsInMemory, Semaphore sharedBudget, String path) {
        this.partSize = partSize;
        this.partsInMemory = partsInMemory;
        this.sharedBudget = sharedBudget;
        this.path = path;
    }

    /**
     * Makes sure the part holding {@code offset} has a buffer.
     *
     * @return false when none can be had until a part in flight lands: wait for one, then ask again
     * @throws FileSystemException when the write can never be taken: it rewrites a part that left,
     *                             lands too far ahead of missing bytes, or goes past S3's last part
     */
    synchronized boolean reserve(long offset) throws FileSystemException {
        long index = offset / partSize;
        if (index >= MAX_PARTS) {
            throw tooLarge();
        }
        int part = (int) index;
        if (left.get(part)) {
            throw new FileSystemException(path, null, "cannot rewrite offset " + offset
                    + ": that part of the file was already sent to the storage");
        }
        if (filling.containsKey(part)) {
            return true;
        }
        if (held() >= partsInMemory) {
            if (inFlight == 0) {
                throw tooFarAhead(offset);
            }
            return false;
        }
        // Beyond the first buffer, one from the shared budget. With the budget spent, wait for
        // this upload's parts in flight to free theirs; with none in flight (only parts with gaps
        // held), go over the budget rather than stall.
        if (held() >= 1 + borrowed) {
            if (sharedBudget.tryAcquire()) {
                borrowed++;
            } else if (inFlight > 0) {
                return false;
            }
        }
        filling.put(part, new PartBuffer((int) partSize, part > 0));
        return true;
    }

    /**
     * Copies the bytes at {@code offset} into its part (reserved first), up to that part's end.
     *
     * @return the part once every byte of it is there: it has left, and counts as in flight until {@link #landed()}
     */
    synchronized Part put(long offset, ByteBuffer src) {
        int part = (int) (offset / partSize);
        PartBuffer buffer = filling.get(part);
        int within = (int) (offset - part * partSize);
        buffer.put(within, src, (int) Math.min(src.remaining(), partSize - within));
        if (!buffer.isFull()) {
            return null;
        }
        filling.remove(part);
        return leave(part, buffer.bytes((int) partSize), (int) partSize);
    }

    /** A part handed out is in S3, or failed to get there: its memory is free. */
    synchronized void landed() {
        inFlight--;
        settleBudget();
    }

    synchronized int inFlight() {
        return inFlight;
    }

    synchronized boolean hasLeft(int part) {
        return left.get(part);
    }

    /** A part the upload starts with that never was in memory: copied inside S3, or sent by the interrupted upload it resumes. */
    synchronized void alreadyStored(int part) {
        left.set(part);
    }

    /** Part {@code part} starts with {@code length} bytes read from the stream (the kept start of a replaced object). */
    void fill(int part, InputStream in, int length) throws IOException {
        PartBuffer buffer = new PartBuffer((int) partSize, true);
        buffer.putAll(in, length);
        synchronized (this) {
            filling.put(part, buffer);
        }
    }

    /** Whether nothing left and nothing beyond the first part is held: a file of this size is one PUT of {@link #firstPart}. */
    synchronized boolean isOnePut(long size) {
        return left.isEmpty() && size <= partSize && filling.keySet().stream().allMatch(part -> part == 0);
    }

    /** The first part's bytes for a PUT of the whole file (zeros where nothing was written). */
    synchronized byte[] firstPart(int length) {
        PartBuffer buffer = filling.get(0);
        return buffer == null ? new byte[0] : buffer.bytes(length);
    }

    /**
     * A part the file still needs at CLOSE, to be sent: the bytes held for it, or zeros where
     * nothing was written (as a sparse file reads).
     */
    synchronized Part remaining(int part, int length) {
        PartBuffer buffer = filling.remove(part);
        return leave(part, buffer == null ? new byte[length] : buffer.bytes(length), length);
    }

    /**
     * Cuts what is held at {@code size} (a truncation to below the upload's current size); the
     * bytes that left cannot be taken back, so a cut below them is refused and changes nothing.
     */
    synchronized void truncate(long size) throws UnsupportedByStorageException {
        long sentUpTo = left.length() * partSize;
        if (size < sentUpTo) {
            throw new UnsupportedByStorageException(path, "truncating to " + size + " bytes is not supported on S3 "
                    + "storage: the first " + sentUpTo + " bytes of this upload were already sent to the storage");
        }
        int cut = (int) (size / partSize);
        filling.keySet().removeIf(part -> part > cut || part == cut && size == (long) cut * partSize);
        PartBuffer last = filling.get(cut);
        if (last != null) {
            last.truncate((int) (size - (long) cut * partSize));
        }
        settleBudget();
    }

    /** Drops every part being filled (the upload is published whole, suspended or discarded). */
    synchronized void dropFilling() {
        filling.clear();
        settleBudget();
    }

    /** The error for a file or truncation beyond S3's last part. */
    FileSystemException tooLarge() {
        return new FileSystemException(path, null, "file too large for S3 storage with parts of "
                + partSize / (1024 * 1024) + " MiB (at most " + MAX_PARTS + " parts)");
    }

    private FileSystemException tooFarAhead(long offset) {
        long gap = filling.entrySet().stream().mapToLong(e -> e.getKey() * partSize + e.getValue().firstMissing()).min().orElse(0);
        return new FileSystemException(path, null, "write at offset " + offset + " is too far ahead of the missing bytes at offset "
                + gap + ": writes may arrive out of order within " + partsInMemory * partSize / (1024 * 1024) + " MiB");
    }

    private Part leave(int part, byte[] bytes, int length) {
        left.set(part);
        inFlight++;
        return new Part(part, bytes, length);
    }

    private int held() {
        return filling.size() + inFlight;
    }

    /** Gives back the budget for buffers no longer held. */
    private void settleBudget() {
        int keep = Math.max(0, held() - 1);
        if (borrowed > keep) {
            sharedBudget.release(borrowed - keep);
            borrowed = keep;
        }
    }
}
