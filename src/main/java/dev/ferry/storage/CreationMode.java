package dev.ferry.storage;

import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * The mode a file gets when a client creates it with a mode (OPEN or MKDIR attributes): applied
 * as open(2) and mkdir(2) apply it under umask 022, as OpenSSH's sftp-server does, so group and
 * others get no write permission at creation (paramiko sends 0777); a later chmod sets any mode.
 * A replaced file keeps its own mode, as open(2) with O_TRUNC does. One rule for local and S3 homes.
 */
public final class CreationMode {

    private static final int UMASK = 0022;

    private CreationMode() {
    }

    /** A directory's mode at creation. */
    public static Set<PosixFilePermission> ofDirectory(Set<?> requested) {
        Set<PosixFilePermission> mode = EnumSet.noneOf(PosixFilePermission.class);
        for (Object p : requested) {
            if (p instanceof PosixFilePermission permission) {
                mode.add(permission);
            }
        }
        mode.remove(PosixFilePermission.GROUP_WRITE);
        mode.remove(PosixFilePermission.OTHERS_WRITE);
        return mode;
    }

    /** A file's mode at creation: the server must keep reading and replacing what it stores, so the owner keeps read and write. */
    public static Set<PosixFilePermission> ofFile(Set<?> requested) {
        Set<PosixFilePermission> mode = ofDirectory(requested);
        mode.add(PosixFilePermission.OWNER_READ);
        mode.add(PosixFilePermission.OWNER_WRITE);
        return mode;
    }

    /** {@link #ofFile} as permission bits. */
    public static int ofFile(int requested) {
        return (requested & 0777 & ~UMASK) | 0600;
    }
}
