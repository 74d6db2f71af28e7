package dev.ferry.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

/** The audit trail cannot be switched off on a server: {@code sftp.audit.enabled=false} is for the benchmarks' profile only. */
class AuditSwitchTest {

    @Test
    void aServerAlwaysAudits() {
        assertThat(AuditLog.enabled(new MockEnvironment())).isTrue();
        assertThat(AuditLog.enabled(new MockEnvironment().withProperty("sftp.audit.enabled", "true"))).isTrue();
    }

    @Test
    void switchingItOffOutsideTheBenchProfileStopsTheStart() {
        MockEnvironment production = new MockEnvironment().withProperty("sftp.audit.enabled", "false");
        production.setActiveProfiles("prod");
        assertThatThrownBy(() -> AuditLog.enabled(production)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("profile 'bench'").hasMessageContaining("remove it");
    }

    @Test
    void theBenchProfileMeasuresWhatAuditingCosts() {
        MockEnvironment bench = new MockEnvironment().withProperty("sftp.audit.enabled", "false");
        bench.setActiveProfiles("bench");
        assertThat(AuditLog.enabled(bench)).isFalse();
    }
}
