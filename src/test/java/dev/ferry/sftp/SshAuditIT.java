package dev.ferry.sftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * ssh-audit (Debian's package, installed by .ci/run) against the started server, for each named
 * crypto policy: no failure. Debian 12 ships ssh-audit 2.5.0 (2021), which does not know the
 * post-quantum and strict-kex names yet; those "unknown algorithm" notes are the only warnings
 * allowed, and only for exactly those names.
 */
class SshAuditIT {

    static final List<String> NEWER_THAN_THE_TOOL = List.of("mlkem768x25519-sha256", "sntrup761x25519-sha512",
            "kex-strict-s-v00@openssh.com");

    @Test
    void modernPolicyHasNoFailureAndNoWarningBeyondNamesTheToolIsTooOldToKnow() throws Exception {
        assertModernVerdict(audit("modern"));
    }

    /** ssh-audit's verdict on a port serving {@code modern}: no failure, no warning but names newer than the tool. */
    static void assertModernVerdict(String report) {
        assertThat(report).doesNotContain("[fail]");
        for (String line : report.lines().filter(l -> l.contains("[warn]")).toList()) {
            assertThat(NEWER_THAN_THE_TOOL.stream().anyMatch(line::contains) || line.contains("sntrup761x25519-sha512@openssh.com"))
                    .as("unexpected warning: " + line).isTrue();
        }
        assertThat(report).contains("(key) ssh-ed25519").contains("(key) rsa-sha2-512").doesNotContain("ssh-rsa ")
                .doesNotContain("cbc").doesNotContain("sha1").doesNotContain("ecdsa-sha2-nistp");
    }

    /** FIPS needs the NIST curves, which ssh-audit fails as a matter of opinion; nothing else may fail. */
    @Test
    void fipsPolicyOffersOnlyFipsAlgorithms() throws Exception {
        String report = audit("fips");
        assertOnlyNistCurvesFail(report);
        assertThat(report).doesNotContain("curve25519").doesNotContain("chacha20").doesNotContain("(key) ssh-ed25519")
                .doesNotContain("sha1").doesNotContain("cbc").contains("aes256-gcm@openssh.com").contains("ecdh-sha2-nistp256");
    }

    @Test
    void compatiblePolicyStillOffersNoSha1OrCbc() throws Exception {
        String report = audit("compatible");
        assertOnlyNistCurvesFail(report);
        assertThat(report).doesNotContain("cbc").doesNotContain("hmac-sha1").doesNotContain("(key) ssh-rsa ")
                .contains("diffie-hellman-group14-sha256").contains("hmac-sha2-256 ");
    }

    static void assertOnlyNistCurvesFail(String report) {
        for (String line : report.lines().filter(l -> l.contains("[fail]")).toList()) {
            assertThat(line).as("unexpected failure").contains("ecdh-sha2-nistp").contains("weak elliptic curves");
        }
    }

    static String audit(String policy) throws Exception {
        var db = TestPostgres.get().newDatabase();
        try (FerryInstance ferry = FerryInstance.start(db, FerryInstance.tempDir("ferry-audit-" + policy),
                Map.of("sftp.crypto-policy", policy))) {
            return audit(ferry.sftpPort());
        }
    }

    /** ssh-audit's report on a port of 127.0.0.1, without colours. */
    static String audit(int port) throws Exception {
        Process process;
        try {
            process = new ProcessBuilder("ssh-audit", "-n", "-p", String.valueOf(port), "127.0.0.1").redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            throw new AssertionError("ssh-audit is not installed: apt-get install ssh-audit (.ci/run does it)", e);
        }
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new String(out, StandardCharsets.UTF_8).replaceAll("\u001b\\[[0-9;]*m", "");
    }
}
