package dev.ferry.storage.s3;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.LinkOption;
import java.nio.file.NotLinkException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.spi.FileSystemProvider;
import java.util.Map;
import java.util.Set;

/**
 * The java.nio face of S3 homes, which is what MINA's SFTP subsystem works with. Writes do not
 * come through here: they go through {@link S3UserHome#openForWrite} as staged multipart uploads.
 * Modification times and modes that clients set on files are kept beside the objects
 * ({@link ObjectAttributes}); access times, owners and anything set on directories are accepted
 * and ignored, so clients that set them after an upload do not fail.
 */
final class S3FileSystemProvider extends FileSystemProvider {

    static final String SCHEME = "ferry-s3";

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public FileSystem newFileSystem(URI uri, Map<String, ?> env) {
        throw new UnsupportedOperationException("S3 homes are opened by the S3 storage backend");
    }

    @Override
    public FileSystem getFileSystem(URI uri) {
        throw new UnsupportedOperationException("S3 homes are opened by the S3 storage backend");
    }

    @Override
    public Path getPath(URI uri) {
        throw new UnsupportedOperationException("S3 homes are opened by the S3 storage backend");
    }

    static S3Path s3(Path path) {
        if (path instanceof S3Path s3Path) {
            return s3Path;
        }
        throw new ProviderMismatchException("not a path of an S3 home: " + path);
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        S3Path file = s3(path);
        if (options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND)) {
            throw new FileSystemException(file.virtual(), null, "writes to S3 go through staged uploads");
        }
        return S3ReadChannel.open(file);
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter) throws IOException {
        S3Path path = s3(dir);
        S3Attributes attributes = path.getFileSystem().stat(path);
        if (!attributes.isDirectory()) {
            throw new java.nio.file.NotDirectoryException(path.virtual());
        }
        return new S3DirectoryStream(path, filter);
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        S3Path path = s3(dir);
        path.getFileSystem().createDirectory(path);
    }

    /** Never reached from SFTP: {@link S3UserHome#capabilities()} has no links, so the request is refused before. */
    @Override
    public void createSymbolicLink(Path link, Path target, FileAttribute<?>... attrs) {
        throw new UnsupportedOperationException("S3 storage has no links");
    }

    @Override
    public void createLink(Path link, Path existing) {
        throw new UnsupportedOperationException("S3 storage has no links");
    }

    @Override
    public Path readSymbolicLink(Path link) throws IOException {
        S3Path path = s3(link);
        path.getFileSystem().stat(path);
        throw new NotLinkException(path.virtual());
    }

    @Override
    public void delete(Path path) throws IOException {
        S3Path s3Path = s3(path);
        s3Path.getFileSystem().delete(s3Path);
    }

    @Override
    public void copy(Path source, Path target, CopyOption... options) throws IOException {
        throw new FileSystemException(s3(source).virtual(), null, "server-side copy is not supported");
    }

    @Override
    public void move(Path source, Path target, CopyOption... options) throws IOException {
        S3Path from = s3(source);
        S3Path to = s3(target);
        if (from.getFileSystem() != to.getFileSystem()) {
            throw new ProviderMismatchException("paths of different homes");
        }
        boolean replace = false;
        for (CopyOption option : options) {
            if (option == StandardCopyOption.REPLACE_EXISTING) {
                replace = true;
            }
        }
        from.getFileSystem().move(from, to, replace);
    }

    @Override
    public boolean isSameFile(Path path, Path path2) throws IOException {
        return path.toAbsolutePath().normalize().equals(path2.toAbsolutePath().normalize());
    }

    @Override
    public boolean isHidden(Path path) {
        return false;
    }

    @Override
    public FileStore getFileStore(Path path) throws IOException {
        throw new FileSystemException(s3(path).virtual(), null, "S3 storage has no file store");
    }

    @Override
    public void checkAccess(Path path, AccessMode... modes) throws IOException {
        S3Path s3Path = s3(path);
        S3Attributes attributes = s3Path.getFileSystem().stat(s3Path);
        for (AccessMode mode : modes) {
            if (mode == AccessMode.EXECUTE && !attributes.isDirectory()) {
                throw new java.nio.file.AccessDeniedException(s3Path.virtual());
            }
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
        if (type != BasicFileAttributeView.class && type != PosixFileAttributeView.class) {
            return null;
        }
        S3Path s3Path = s3(path);
        // Modification times and modes set by clients are kept beside the objects (ObjectAttributes);
        // owners and groups are accepted and ignored.
        return (V) new PosixFileAttributeView() {
            @Override
            public String name() {
                return "posix";
            }

            @Override
            public PosixFileAttributes readAttributes() throws IOException {
                return s3Path.getFileSystem().stat(s3Path);
            }

            @Override
            public void setTimes(FileTime lastModifiedTime, FileTime lastAccessTime, FileTime createTime) throws IOException {
                if (lastModifiedTime == null) {
                    readAttributes();
                } else {
                    s3Path.getFileSystem().setByClient(s3Path, ObjectAttributes.Values.time(lastModifiedTime.toInstant()));
                }
            }

            @Override
            public void setPermissions(Set<PosixFilePermission> perms) throws IOException {
                s3Path.getFileSystem().setByClient(s3Path, ObjectAttributes.Values.mode(S3Attributes.bits(perms)));
            }

            @Override
            public void setGroup(GroupPrincipal group) throws IOException {
                readAttributes();
            }

            @Override
            public UserPrincipal getOwner() {
                return S3Attributes.OWNER;
            }

            @Override
            public void setOwner(UserPrincipal owner) throws IOException {
                readAttributes();
            }
        };
    }

    @Override
    @SuppressWarnings("unchecked")
    public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options)
            throws IOException {
        if (type != BasicFileAttributes.class && type != PosixFileAttributes.class) {
            throw new UnsupportedOperationException("S3 storage has no " + type.getSimpleName());
        }
        S3Path s3Path = s3(path);
        return (A) s3Path.getFileSystem().stat(s3Path);
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
        String view = "basic";
        String names = attributes;
        int colon = attributes.indexOf(':');
        if (colon >= 0) {
            view = attributes.substring(0, colon);
            names = attributes.substring(colon + 1);
        }
        if (!view.equals("basic") && !view.equals("posix")) {
            throw new UnsupportedOperationException("S3 storage has no '" + view + "' attributes");
        }
        S3Path s3Path = s3(path);
        return s3Path.getFileSystem().stat(s3Path).asMap(view, names);
    }

    @Override
    public void setAttribute(Path path, String attribute, Object value, LinkOption... options) throws IOException {
        // The modification time and mode are kept; access and creation times and owners are
        // accepted and ignored (S3 keeps none). The file must exist.
        S3Path s3Path = s3(path);
        String name = attribute.substring(attribute.indexOf(':') + 1);
        if (name.equals("lastModifiedTime") && value instanceof FileTime time) {
            s3Path.getFileSystem().setByClient(s3Path, ObjectAttributes.Values.time(time.toInstant()));
        } else if (name.equals("permissions") && value instanceof Set<?> permissions) {
            s3Path.getFileSystem().setByClient(s3Path, ObjectAttributes.Values.mode(S3Attributes.bits(permissions)));
        } else {
            s3Path.getFileSystem().stat(s3Path);
        }
    }
}
