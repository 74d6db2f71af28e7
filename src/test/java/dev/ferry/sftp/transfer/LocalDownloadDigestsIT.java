package dev.ferry.sftp.transfer;

import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;

/** Stored download digests on local disk. */
class LocalDownloadDigestsIT extends DownloadDigestsContract {

    /** With the audit journal, as deployed by default: records reach PostgreSQL after the client's CLOSE. */
    @Override
    FerryInstance startFerry() {
        return FerryInstance.start(TestPostgres.get().newDatabase(), FerryInstance.tempDir("ferry-files"),
                java.util.Map.of("sftp.audit.durability", "journal", "sftp.audit.journal-dir",
                        FerryInstance.tempDir("ferry-journal").toString()));
    }

    @Override
    String storageJson(String username) {
        return "{\"type\":\"local\"}";
    }

    /** Rewritten in place (same inode, same size), then the modification time set back to the nanosecond. */
    @Override
    void changeBehindFerrysBack(String username, String path, byte[] content) throws Exception {
        Path file = ferry.homeOf(username).resolve(path.substring(1));
        FileTime modified = Files.getLastModifiedTime(file);
        Object inode = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        Files.write(file, content, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        Files.setLastModifiedTime(file, modified);
        org.assertj.core.api.Assertions.assertThat(Files.getLastModifiedTime(file)).isEqualTo(modified);
        org.assertj.core.api.Assertions.assertThat(Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class)
                .fileKey()).isEqualTo(inode);
    }
}
