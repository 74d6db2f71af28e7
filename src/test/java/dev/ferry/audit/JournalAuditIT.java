package dev.ferry.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testsupport.FerryInstance;
import java.nio.file.Path;
import java.util.Map;

/**
 * The audit trail with every confirmed action's record fsync'd in the instance's local journal
 * first and shipped to PostgreSQL later. The ship interval is an hour here, so records reach
 * PostgreSQL only because a read (search, verify, check-file) asks for them: the tests see the
 * journal at work, not a fast background thread.
 */
class JournalAuditIT extends AuditTrailContract {

    private final Path journal = FerryInstance.tempDir("ferry-journal");

    @Override
    Map<String, String> durabilitySettings() {
        return Map.of("sftp.audit.durability", "journal", "sftp.audit.journal-dir", journal.toString(),
                "sftp.audit.ship-interval", "1h");
    }

    @Override
    void assertUploadRecordIsDurable(String username, String path) throws Exception {
        // Read from the file as a restarted server would, with the server still holding it open.
        assertThat(AuditJournal.read(journal)).as("record of " + username + " " + path + " in the journal")
                .anySatisfy(entry -> {
                    assertThat(entry.event().type()).isEqualTo(AuditType.UPLOAD);
                    assertThat(entry.event().username()).isEqualTo(username);
                    assertThat(entry.event().path()).isEqualTo(path);
                    assertThat(entry.event().status()).isEqualTo(AuditEvent.OK);
                    assertThat(entry.event().sha256()).hasSize(64);
                });
    }
}
