package dev.ferry.storage;

import java.nio.file.FileSystemException;

/**
 * The storage cannot do this at all (a symbolic link on S3, say), as opposed to this attempt
 * failing: protocol adapters answer "operation unsupported" with the reason, which says so.
 */
public class UnsupportedByStorageException extends FileSystemException {

    public UnsupportedByStorageException(String path, String reason) {
        super(path, null, reason);
    }
}
