package dev.ferry.storage.local;

import dev.ferry.shared.AccountNames;
import dev.ferry.storage.HomeLocation;
import dev.ferry.storage.StorageBackend;
import dev.ferry.storage.StorageType;
import dev.ferry.storage.UserHome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Homes on local disk: {@code <root>/<username>}. Uploads are staged under
 * {@code <root>/.ferry-staging} (same file system, so publishing is one atomic rename) and never
 * appear under their final name half-written.
 */
@Component
public class LocalStorageBackend implements StorageBackend {

    private static final Logger log = LoggerFactory.getLogger(LocalStorageBackend.class);
    static final String STAGING_DIR = ".ferry-staging";

    private final Path root;
    private final Path staging;

    public LocalStorageBackend(LocalStorageProperties properties) throws IOException {
        Path configured = Path.of(properties.root()).toAbsolutePath().normalize();
        Files.createDirectories(configured);
        this.root = configured.toRealPath();
        this.staging = Files.createDirectories(root.resolve(STAGING_DIR));
        removeStaleStagedFiles(properties.stagingRetention());
        log.info("Local storage under {}", root);
    }

    @Override
    public StorageType type() {
        return StorageType.LOCAL;
    }

    /** A local home is named by its user alone. */
    @Override
    public void check(HomeLocation location) {
        if (location.bucket() != null || location.prefix() != null) {
            throw new IllegalArgumentException("bucket and prefix apply only to storage type '" + StorageType.S3.typeName() + "'");
        }
    }

    @Override
    public UserHome open(HomeLocation location) throws IOException {
        Path home = homeOf(location);
        Files.createDirectories(home);
        return new LocalUserHome(home.toRealPath(), staging);
    }

    @Override
    public void createHome(HomeLocation location) throws IOException {
        Files.createDirectories(homeOf(location));
    }

    @Override
    public void purgeHome(HomeLocation location) throws IOException {
        Path home = homeOf(location);
        if (!Files.exists(home, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        // walkFileTree does not follow links: a symlink in the home is removed, never its target.
        Files.walkFileTree(home, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** The home directory of a user; the name is checked again here so no caller can escape the root. */
    Path homeOf(HomeLocation location) {
        String name = location.username();
        // Usernames have no separators and no leading dot, so no home can be the staging area.
        if (!AccountNames.isValid(name)) {
            throw new IllegalArgumentException("not a valid home name: " + name);
        }
        Path home = root.resolve(name).normalize();
        if (!home.getParent().equals(root)) {
            throw new IllegalArgumentException("not a valid home name: " + name);
        }
        return home;
    }

    Path root() {
        return root;
    }

    private void removeStaleStagedFiles(java.time.Duration retention) {
        Instant cutoff = Instant.now().minus(retention);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(staging)) {
            for (Path file : files) {
                try {
                    if (Files.getLastModifiedTime(file).toInstant().isBefore(cutoff)) {
                        Files.deleteIfExists(file);
                    }
                } catch (NoSuchFileException ignored) {
                    // removed meanwhile by another instance
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean the staging directory " + staging, e);
        }
    }
}
