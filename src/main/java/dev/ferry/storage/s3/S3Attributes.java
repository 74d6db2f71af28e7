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
 * What Ferry shows of an object or a directory prefix. S3 keeps no modes or owners: files are
 * shown rw-r--r--, directories rwxr-xr-x, owned by "ferry".
 *
 * @param etag      the object's ETag (null for directories)
 * @param versionId the object's version id where the bucket keeps versions
 */
record S3Attributes(boolean directory, long size, Instant lastModified, String etag, String versionId)
        implements PosixFileAttributes {

    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-r--r--");
    private static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwxr-xr-x");
    static final Principal OWNER = new Principal("ferry");

    static S3Attributes directory(Instant lastModified) {
        return new S3Attributes(true, 0, lastModified == null ? Instant.EPOCH : lastModified, null, null);
    }

    static S3Attributes file(long size, Instant lastModified, String etag, String versionId) {
        return new S3Attributes(false, size, lastModified == null ? Instant.EPOCH : lastModified, etag, versionId);
    }

    /** The same object shown with the modification time a client set on it. */
    S3Attributes modifiedAt(Instant modified) {
        return new S3Attributes(directory, size, modified, etag, versionId);
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
        return directory ? DIRECTORY_MODE : FILE_MODE;
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
    }
}
