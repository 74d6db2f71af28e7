package dev.ferry.storage.local;

import dev.ferry.storage.Capability;
import dev.ferry.storage.SpaceInfo;
import dev.ferry.storage.StagedWrite;
import dev.ferry.storage.UserHome;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.sshd.common.file.root.RootedFileSystemProvider;

/**
 * A home directory on local disk, seen through a rooted file system so that "/" is the home.
 * Confinement is checked twice: lexically by the rooted file system, and on the real path
 * (through symbolic links) by {@link #checkConfined}.
 */
final class LocalUserHome implements UserHome {

    /** Local disk has links, symbolic and hard. */
    private static final Set<Capability> CAPABILITIES = EnumSet.of(Capability.SYMLINKS, Capability.HARDLINKS);

    private final Path home;
    private final Path staging;
    private final FileSystem fileSystem;

    LocalUserHome(Path realHome, Path staging) throws IOException {
        this.home = realHome;
        this.staging = staging;
        this.fileSystem = new RootedFileSystemProvider().newFileSystem(realHome, Collections.emptyMap());
    }

    @Override
    public FileSystem fileSystem() {
        return fileSystem;
    }

    @Override
    public Set<Capability> capabilities() {
        return CAPABILITIES;
    }

    /** See {@link LocalContentIdentity}: what is compared and why. */
    @Override
    public String contentIdentity(Path file) throws IOException {
        return LocalContentIdentity.of(toLocal(file));
    }

    @Override
    public String storageName() {
        return "local disk";
    }

    @Override
    public void checkConfined(Path path, boolean followFinal) throws IOException {
        Path local = toLocal(path);
        Path probe = followFinal || local.equals(home) ? local : local.getParent();
        // The nearest existing ancestor must resolve, through every link, to a place inside the home.
        while (probe != null) {
            try {
                Path real = probe.toRealPath();
                if (!real.startsWith(home)) {
                    throw new AccessDeniedException(virtual(path), null, "resolves outside the home");
                }
                return;
            } catch (NoSuchFileException e) {
                probe = probe.getParent();
            }
        }
        throw new AccessDeniedException(virtual(path), null, "resolves outside the home");
    }

    @Override
    public Path resolveLinks(Path path, boolean followFinal) throws IOException {
        Path local = toLocal(path);
        Path existing = followFinal || local.equals(home) ? local : local.getParent();
        Path rest = existing.relativize(local);
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            rest = existing.getFileName().resolve(rest);
            existing = existing.getParent();
        }
        if (existing == null) {
            return path.toAbsolutePath().normalize();
        }
        Path real;
        try {
            real = existing.toRealPath().resolve(rest).normalize();
        } catch (IOException e) {
            // a dangling link: never let the exception (and its on-disk path) reach the client
            throw new NoSuchFileException(virtual(path));
        }
        if (!real.startsWith(home)) {
            throw new AccessDeniedException(virtual(path), null, "resolves outside the home");
        }
        Path virtual = fileSystem.getPath("/");
        for (Path name : home.relativize(real)) {
            if (!name.toString().isEmpty()) {
                virtual = virtual.resolve(name.toString());
            }
        }
        return virtual;
    }

    @Override
    public StagedWrite openForWrite(Path file, Set<? extends OpenOption> options, FileAttribute<?>... attributes)
            throws IOException {
        // The caller confined the path (checkConfined(file, false)); only a link as the last element is left.
        Path target = toLocal(file);
        String name = virtual(file);
        if (target.equals(home)) {
            throw new FileSystemException(name, null, "is a directory");
        }
        java.nio.file.attribute.PosixFileAttributes existing;
        try {
            existing = Files.readAttributes(target, java.nio.file.attribute.PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            existing = null;
        }
        boolean exists = existing != null;
        if (exists && existing.isSymbolicLink()) {
            checkConfined(file, true);
        }
        if (exists && (existing.isDirectory() || existing.isSymbolicLink() && Files.isDirectory(target))) {
            throw new FileSystemException(name, null, "is a directory");
        }
        if (exists && options.contains(StandardOpenOption.CREATE_NEW)) {
            throw new FileAlreadyExistsException(name);
        }
        if (!exists && !options.contains(StandardOpenOption.CREATE) && !options.contains(StandardOpenOption.CREATE_NEW)) {
            throw new NoSuchFileException(name);
        }
        if (!exists && !Files.isDirectory(target.getParent())) {
            throw new NoSuchFileException(virtual(file.toAbsolutePath().getParent()));
        }

        Path staged = staging.resolve(UUID.randomUUID().toString());
        boolean keepContent = exists && !options.contains(StandardOpenOption.TRUNCATE_EXISTING);
        if (keepContent) {
            try {
                Files.copy(target, staged, StandardCopyOption.COPY_ATTRIBUTES);
            } catch (NoSuchFileException removedMeanwhile) {
                // Another session removed it since it was looked at: created anew, as open(2) with O_CREAT does.
                if (!options.contains(StandardOpenOption.CREATE)) {
                    throw new NoSuchFileException(name);
                }
                keepContent = false;
                exists = false;
            }
        }
        Set<OpenOption> channelOptions = new java.util.HashSet<>();
        channelOptions.add(StandardOpenOption.WRITE);
        if (!keepContent) {
            channelOptions.add(StandardOpenOption.CREATE_NEW); // created and opened in one call
        }
        if (options.contains(StandardOpenOption.READ)) {
            channelOptions.add(StandardOpenOption.READ);
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(staged, channelOptions);
            if (exists && !keepContent && existing.isRegularFile()) {
                // A replaced file keeps its mode, as open(2) with O_TRUNC keeps it: the mode sent with an OPEN is for creating.
                Set<java.nio.file.attribute.PosixFilePermission> mode = new java.util.HashSet<>(existing.permissions());
                mode.add(java.nio.file.attribute.PosixFilePermission.OWNER_READ);
                mode.add(java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
                Files.setPosixFilePermissions(staged, mode);
            } else if (!keepContent) {
                applyPermissions(staged, attributes);
            }
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            Files.deleteIfExists(staged);
            throw e;
        }
        long replacedSize = exists && existing.isRegularFile() ? existing.size() : -1;
        return new LocalStagedWrite(channel, file, staged, target, options.contains(StandardOpenOption.CREATE_NEW), replacedSize);
    }

    @Override
    public StagedWrite openForTruncate(Path file, long size) throws IOException {
        String name = virtual(file);
        Path target = toLocal(file);
        if (Files.isSymbolicLink(target)) {
            checkConfined(file, true);
            try {
                target = target.toRealPath(); // the link stays, its target gets the new version
            } catch (IOException e) {
                throw new NoSuchFileException(name); // a dangling link; never the on-disk path
            }
        }
        BasicFileAttributes existing;
        try {
            existing = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(name);
        }
        if (!existing.isRegularFile()) {
            throw new FileSystemException(name, null, existing.isDirectory() ? "is a directory" : "is not a regular file");
        }
        Path staged = staging.resolve(UUID.randomUUID().toString());
        FileChannel channel = null;
        try (FileChannel source = FileChannel.open(target, StandardOpenOption.READ)) {
            channel = FileChannel.open(staged, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            long keep = Math.min(size, existing.size());
            for (long copied = 0, n = 1; copied < keep && n > 0; copied += n) {
                n = source.transferTo(copied, keep - copied, channel); // 0: the file shrank meanwhile; truncate adds zeros
            }
            Files.setPosixFilePermissions(staged, Files.getPosixFilePermissions(target));
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            Files.deleteIfExists(staged);
            throw e;
        }
        return new LocalStagedWrite(channel, file, staged, target, false, existing.size());
    }

    /**
     * Applies the POSIX permissions a client sent with OPEN (clients send the local file's mode) as
     * {@link dev.ferry.storage.CreationMode} says. Other attributes are ignored at creation, clients
     * set times after writing.
     */
    private static void applyPermissions(Path file, FileAttribute<?>... attributes) throws IOException {
        for (FileAttribute<?> attribute : attributes) {
            if (attribute.name().endsWith("permissions") && attribute.value() instanceof Set<?> perms) {
                Files.setPosixFilePermissions(file, dev.ferry.storage.CreationMode.ofFile(perms));
            }
        }
    }

    /** Stored as a relative link that stays in the home, in a form that keeps what the client gave (see {@link LinkTargets}). */
    @Override
    public void createSymbolicLink(Path link, String target) throws IOException {
        String name = virtual(link);
        if (target.isEmpty() || target.indexOf('\0') >= 0) {
            throw new FileSystemException(name, null, "invalid link target");
        }
        Path local = toLocal(link);
        if (local.equals(home)) {
            throw new FileAlreadyExistsException(name);
        }
        String stored = LinkTargets.stored(realDirectoryNames(link, local), target);
        if (stored == null) {
            throw new AccessDeniedException(name, null, "link target points outside the home");
        }
        Files.createSymbolicLink(local, local.getFileSystem().getPath(stored));
    }

    @Override
    public String readSymbolicLink(Path link) throws IOException {
        Path local = toLocal(link);
        Path stored;
        try {
            stored = Files.readSymbolicLink(local);
        } catch (java.nio.file.NotLinkException e) {
            throw new java.nio.file.NotLinkException(virtual(link));
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(virtual(link));
        }
        if (stored.isAbsolute()) {
            // planted on disk by another program: shown as the path of the home it names, never as an on-disk path
            Path target = stored.normalize();
            if (!target.startsWith(home)) {
                throw new AccessDeniedException(virtual(link), null, "resolves outside the home");
            }
            return "/" + String.join("/", names(home.relativize(target)));
        }
        return LinkTargets.answered(realDirectoryNames(link, local), stored.toString());
    }

    /** The names, from the home's root, of the directory that holds {@code local} on disk (links resolved). */
    private List<String> realDirectoryNames(Path link, Path local) throws IOException {
        Path directory;
        try {
            directory = local.getParent().toRealPath();
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(virtual(link.toAbsolutePath().normalize().getParent()));
        }
        if (!directory.startsWith(home)) {
            throw new AccessDeniedException(virtual(link), null, "resolves outside the home");
        }
        return names(home.relativize(directory));
    }

    private static List<String> names(Path relative) {
        List<String> names = new java.util.ArrayList<>();
        for (Path name : relative) {
            if (!name.toString().isEmpty()) {
                names.add(name.toString());
            }
        }
        return names;
    }

    @Override
    public SpaceInfo space() throws IOException {
        FileStore store = Files.getFileStore(home);
        return new SpaceInfo(store.getTotalSpace(), store.getUnallocatedSpace(), store.getUsableSpace());
    }

    @Override
    public void close() throws IOException {
        fileSystem.close();
    }

    /** The on-disk path for a path of this home's file system, normalised so it cannot leave the home. */
    Path toLocal(Path path) {
        Deque<String> names = new ArrayDeque<>();
        for (Path element : path.toAbsolutePath()) {
            String name = element.toString();
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                names.pollLast();
                continue;
            }
            if (name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
                throw new java.nio.file.InvalidPathException(name, "invalid file name");
            }
            names.addLast(name);
        }
        Path local = home;
        for (String name : names) {
            local = local.resolve(name);
        }
        return local;
    }

    private static String virtual(Path path) {
        return path.toAbsolutePath().normalize().toString();
    }
}
