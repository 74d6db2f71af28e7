package dev.ferry.storage.s3;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * The bytes of one part while it is being filled, and which ranges of it were written. The array
 * starts at 64 KiB (a 4 KiB file does not take a whole part's memory) and then takes the whole part.
 */
final class PartBuffer {

    private static final int INITIAL = 64 * 1024;

    private final int capacity;
    private byte[] data;
    /** Written ranges, start -> end (exclusive), merged so they never touch or overlap. */
    private final TreeMap<Integer, Integer> written = new TreeMap<>();

    /**
     * @param wholeFromTheStart whether the part will surely be filled (a part after the first: the
     *                          file is big), so its array is made whole at once instead of grown
     */
    PartBuffer(int capacity, boolean wholeFromTheStart) {
        this.capacity = capacity;
        this.data = new byte[wholeFromTheStart ? capacity : Math.min(capacity, INITIAL)];
    }

    void put(int offset, ByteBuffer src, int length) {
        ensureCapacity(offset + length);
        src.get(data, offset, length);
        mark(offset, offset + length);
    }

    /** Reads exactly {@code length} bytes from the stream into the start of the part. */
    void putAll(InputStream in, int length) throws IOException {
        ensureCapacity(length);
        int filled = 0;
        while (filled < length) {
            int n = in.read(data, filled, length - filled);
            if (n < 0) {
                throw new IOException("the storage sent fewer bytes than the object holds");
            }
            filled += n;
        }
        mark(0, length);
    }

    boolean isFull() {
        Map.Entry<Integer, Integer> first = written.firstEntry();
        return first != null && first.getKey() == 0 && first.getValue() == capacity;
    }

    /** The first offset inside the part not written yet. */
    int firstMissing() {
        Map.Entry<Integer, Integer> first = written.firstEntry();
        return first == null || first.getKey() > 0 ? 0 : first.getValue();
    }

    /** The part's bytes: an array holding at least {@code length} bytes, unwritten ones zero. */
    byte[] bytes(int length) {
        ensureCapacity(length);
        return data;
    }

    /** Forgets everything from {@code length} on: those bytes read as zeros again (a truncated file extended later). */
    void truncate(int length) {
        if (length < data.length) {
            Arrays.fill(data, length, data.length, (byte) 0);
        }
        Map.Entry<Integer, Integer> cut = written.lowerEntry(length);
        written.tailMap(length, true).clear();
        if (cut != null && cut.getValue() > length) {
            written.put(cut.getKey(), length);
        }
    }

    private void ensureCapacity(int needed) {
        if (needed > data.length) {
            // Small files stay small; past the first 64 KiB the whole part at once, not by doubling
            // (which copied every part's bytes about once more and held old and new array together).
            data = Arrays.copyOf(data, needed <= INITIAL ? INITIAL : capacity);
        }
    }

    private void mark(int start, int end) {
        Map.Entry<Integer, Integer> before = written.floorEntry(start);
        if (before != null && before.getValue() >= start) {
            start = before.getKey();
            end = Math.max(end, before.getValue());
        }
        Map.Entry<Integer, Integer> after = written.ceilingEntry(start);
        while (after != null && after.getKey() <= end) {
            end = Math.max(end, after.getValue());
            written.remove(after.getKey());
            after = written.ceilingEntry(start);
        }
        written.put(start, end);
    }
}
