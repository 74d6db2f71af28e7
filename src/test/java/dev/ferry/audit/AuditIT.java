package dev.ferry.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;

/** The audit trail with every confirmed action's record committed in PostgreSQL first. */
class AuditIT extends AuditTrailContract {

    @Override
    Map<String, String> durabilitySettings() {
        return Map.of("sftp.audit.durability", "database");
    }

    @Override
    void assertUploadRecordIsDurable(String username, String path) {
        Integer rows = ferry.bean(JdbcTemplate.class).queryForObject("select count(*) from audit_events where type = 'UPLOAD' "
                + "and username = ? and path = ? and status = 'OK'", Integer.class, username, path);
        assertThat(rows).as("record of " + username + " " + path + " in PostgreSQL").isEqualTo(1);
    }
}
