package dev.ferry.storage.s3;

import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.common.file.util.BasePath;

/**
 * A path of an S3 home. A path that came out of a listing carries the attributes the listing
 * gave, so {@code ls -l} costs no request per entry; a stat caches its answer on the path object
 * (one SFTP request sees one object state), and every change made through the path drops it.
 */
final class S3Path extends BasePath<S3Path, S3FileSystem> {

    private volatile S3Attributes cached;
    /** Set on the path of an open upload's handle (FSTAT, FSETSTAT): the upload it stands for. */
    private volatile S3Upload upload;

    S3Path(S3FileSystem fileSystem, String root, List<String> names) {
        super(fileSystem, root, names);
    }

    /** The path's names from the home's root, with "." and ".." resolved; ".." never climbs above "/". */
    List<String> names() {
        List<String> names = new ArrayList<>();
        for (Path element : toAbsolutePath()) {
            String name = element.toString();
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                if (!names.isEmpty()) {
                    names.remove(names.size() - 1);
                }
                continue;
            }
            if (name.indexOf('\0') >= 0 || name.indexOf('/') >= 0) {
                throw new InvalidPathException(name, "invalid file name");
            }
            names.add(name);
        }
        return names;
    }

    boolean isHomeRoot() {
        return names().isEmpty();
    }

    /** The path as the client sees it, for messages: "/" and the names. */
    String virtual() {
        try {
            return "/" + String.join("/", names());
        } catch (RuntimeException e) {
            return toString();
        }
    }

    /** The directory holding this path ("/" for anything directly in the home). */
    S3Path parentDirectory() {
        S3Path absolute = toAbsolutePath();
        S3Path parent = absolute.getParent();
        return parent == null ? absolute.getRoot() : parent;
    }

    S3Attributes cached() {
        return cached;
    }

    S3Path withAttributes(S3Attributes attributes) {
        this.cached = attributes;
        return this;
    }

    S3Upload upload() {
        return upload;
    }

    S3Path ofUpload(S3Upload upload) {
        this.upload = upload;
        return this;
    }

    void forget() {
        cached = null;
    }

    @Override
    public S3Path toRealPath(LinkOption... options) throws IOException {
        S3Path absolute = toAbsolutePath().normalize();
        getFileSystem().provider().checkAccess(absolute);
        return absolute;
    }
}
