package dev.ferry.storage.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The identity of a local file's content: device and inode (which file), size, and the
 * modification and change times in nanoseconds. The modification time alone is not enough: a
 * program can write the same number of bytes and set the time back ({@code touch -d}, {@code
 * utimensat}), to the nanosecond. The change time (ctime) cannot be set by a program: every write,
 * truncation, rename or time change sets it to the current time, so equal identities asked before
 * and after a read mean nothing changed the file in between. Linux since 6.13 (ext4, xfs, btrfs,
 * tmpfs) gives a change after the time was looked at a fine-grained ctime that always differs;
 * older kernels keep it to the clock tick (1 to 10 ms), see the README.
 * <p>
 * Where the JDK has no {@code unix} attribute view there is no identity (null): downloads are then
 * hashed as they pass, and nothing is remembered.
 */
final class LocalContentIdentity {

    private static final String ATTRIBUTES = "unix:dev,ino,size,lastModifiedTime,ctime";

    private LocalContentIdentity() {
    }

    static String of(Path real) throws IOException {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(real, ATTRIBUTES);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
        return "local:" + a.get("dev") + ":" + a.get("ino") + ":" + a.get("size") + ":" + nanos(a.get("lastModifiedTime"))
                + ":" + nanos(a.get("ctime"));
    }

    private static long nanos(Object time) {
        return ((FileTime) time).to(TimeUnit.NANOSECONDS);
    }
}
