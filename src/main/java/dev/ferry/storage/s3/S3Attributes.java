package dev.ferry.storage.s3;

import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What Ferry shows of an object or a directory prefix. S3 keeps no modes or owners: a file shows
 * the mode a client set on it ({@link ObjectAttributes}), else rw-r--r--; directories show
 * rwxr-xr-x; everything is owned by "ferry".
 *
 * @param etag      the object's ETag (null for directories)
 * @param versionId the object's version id where the bucket keeps versions
 * @param mode      the permission bits a client set (0 to 0777), or null for the default
 */
record S3Attributes(boolean directory, long size, Instant lastModified, String etag, String versionId, Integer mode)
        implements PosixFileAttributes {

    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-r--r--");
    private static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwxr-xr-x");
    static final Principal OWNER = new Principal("ferry");

    static S3Attributes directory(Instant lastModified) {
        return new S3Attributes(true, 0, lastModified == null ? Instant.EPOCH : lastModified, null, null, null);
    }

    static S3Attributes file(long size, Instant lastModified, String etag, String versionId) {
        return new S3Attributes(false, size, lastModified == null ? Instant.EPOCH : lastModified, etag, versionId, null);
    }

    /** The same object shown with what a client set on it (null: nothing). */
    S3Attributes with(ObjectAttributes.Values set) {
        if (set == null) {
            return this;
        }
        return new S3Attributes(directory, size, set.modifiedAt() != null ? set.modifiedAt() : lastModified, etag, versionId,
                set.mode() != null ? set.mode() : mode);
    }

    @Override
    public FileTime lastModifiedTime() {
        return FileTime.from(lastModified);
    }

    @Override
    public FileTime lastAccessTime() {
        return lastModifiedTime();
    }

    @Override
    public FileTime creationTime() {
        return lastModifiedTime();
    }

    @Override
    public boolean isRegularFile() {
        return !directory;
    }

    @Override
    public boolean isDirectory() {
        return directory;
    }

    @Override
    public boolean isSymbolicLink() {
        return false;
    }

    @Override
    public boolean isOther() {
        return false;
    }

    @Override
    public Object fileKey() {
        return null;
    }

    @Override
    public UserPrincipal owner() {
        return OWNER;
    }

    @Override
    public GroupPrincipal group() {
        return OWNER;
    }

    @Override
    public Set<PosixFilePermission> permissions() {
        return directory ? DIRECTORY_MODE : mode == null ? FILE_MODE : permissions(mode);
    }

    /** The permission bits (0 to 0777) of a set of {@link PosixFilePermission}s (anything else in it is ignored). */
    static int bits(Set<?> permissions) {
        int bits = 0;
        for (Object permission : permissions) {
            if (permission instanceof PosixFilePermission posix) {
                bits |= 1 << (8 - posix.ordinal()); // OWNER_READ is 0400, OTHERS_EXECUTE 0001
            }
        }
        return bits;
    }

    static Set<PosixFilePermission> permissions(int bits) {
        Set<PosixFilePermission> permissions = java.util.EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission permission : PosixFilePermission.values()) {
            if ((bits & 1 << (8 - permission.ordinal())) != 0) {
                permissions.add(permission);
            }
        }
        return permissions;
    }

    /** The attributes of a view ("basic" or "posix") by name, as {@code Files.readAttributes(path, "view:*")} answers. */
    Map<String, Object> asMap(String view, String names) {
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("lastModifiedTime", lastModifiedTime());
        all.put("lastAccessTime", lastAccessTime());
        all.put("creationTime", creationTime());
        all.put("size", size);
        all.put("isRegularFile", isRegularFile());
        all.put("isDirectory", directory);
        all.put("isSymbolicLink", false);
        all.put("isOther", false);
        all.put("fileKey", null);
        if (view.equals("posix")) {
            all.put("permissions", permissions());
            all.put("owner", OWNER);
            all.put("group", OWNER);
        }
        if (names.equals("*")) {
            return all;
        }
        Map<String, Object> selected = new LinkedHashMap<>();
        for (String name : names.split(",")) {
            if (!all.containsKey(name)) {
                throw new IllegalArgumentException("'" + name + "' is not an attribute of the " + view + " view");
            }
            selected.put(name, all.get(name));
        }
        return selected;
    }

    record Principal(String getName) implements GroupPrincipal {
        @Override
        public String toString() {
            return getName; // what listings show as owner and group (ls -l)
        }
    }
}
