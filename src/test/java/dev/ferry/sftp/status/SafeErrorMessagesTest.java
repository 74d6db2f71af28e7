package dev.ferry.sftp.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.storage.UnsupportedByStorageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.junit.jupiter.api.Test;

/** What a client and the audit trail are told of a failure: decided by the exception's type, never its text. */
class SafeErrorMessagesTest {

    private static final String ON_DISK = "/srv/ferry/data/files/acme/report.csv";

    @Test
    void anSftpRefusalIsToldAsItIs() {
        assertThat(SafeErrorMessages.describe(new SftpException(SftpConstants.SSH_FX_PERMISSION_DENIED,
                "permission denied: 'download' is not granted on /inbox/a.txt")))
                .isEqualTo("permission denied: 'download' is not granted on /inbox/a.txt");
        QuotaDenied quota = new QuotaDenied("quota exceeded: 100000 bytes allowed");
        assertThat(SafeErrorMessages.status(quota)).isEqualTo(SftpConstants.SSH_FX_FAILURE);
        assertThat(SafeErrorMessages.describe(quota)).isEqualTo("quota exceeded: 100000 bytes allowed");
    }

    @Test
    void aFileSystemFailureShowsItsReasonButNeverItsPaths() {
        assertThat(SafeErrorMessages.describe(new AccessDeniedException(ON_DISK, null, "resolves outside the home")))
                .isEqualTo("Permission denied: resolves outside the home");
        assertThat(SafeErrorMessages.describe(new NoSuchFileException(ON_DISK))).isEqualTo("No such file or directory");
        // The system's own error text, as the JDK gives it for an errno.
        assertThat(SafeErrorMessages.describe(new FileSystemException(ON_DISK, null, "Input/output error")))
                .isEqualTo("General failure: Input/output error").doesNotContain(ON_DISK);
    }

    @Test
    void whatTheStorageCannotDoIsUnsupported() {
        UnsupportedByStorageException links = new UnsupportedByStorageException("/l", "symbolic links are not supported on S3 storage");
        assertThat(SafeErrorMessages.status(links)).isEqualTo(SftpConstants.SSH_FX_OP_UNSUPPORTED);
        assertThat(SafeErrorMessages.describe(links)).endsWith(": symbolic links are not supported on S3 storage");
    }

    @Test
    void otherExceptionsTellOnlyTheStatus() {
        assertThat(SafeErrorMessages.describe(new IOException("cannot write " + ON_DISK))).isEqualTo("General failure");
        assertThat(SafeErrorMessages.describe(new UncheckedIOException(new IOException(ON_DISK)))).doesNotContain(ON_DISK);
        assertThat(SafeErrorMessages.describe(new IllegalStateException(ON_DISK))).doesNotContain(ON_DISK);
    }

    @Test
    void statusesPastSftpV3AreMappedForV3Clients() {
        assertThat(SafeErrorMessages.v3Status(SftpConstants.SSH_FX_FILE_ALREADY_EXISTS)).isEqualTo(SftpConstants.SSH_FX_FAILURE);
        assertThat(SafeErrorMessages.v3Status(SftpConstants.SSH_FX_NO_SUCH_PATH)).isEqualTo(SftpConstants.SSH_FX_NO_SUCH_FILE);
        assertThat(SafeErrorMessages.v3Status(SftpConstants.SSH_FX_CANNOT_DELETE)).isEqualTo(SftpConstants.SSH_FX_PERMISSION_DENIED);
        assertThat(SafeErrorMessages.v3Status(SftpConstants.SSH_FX_PERMISSION_DENIED)).isEqualTo(SftpConstants.SSH_FX_PERMISSION_DENIED);
    }
}
