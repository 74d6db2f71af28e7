package dev.ferry.sftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.PrometheusScrape;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.Users;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import org.apache.sshd.sftp.common.SftpException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The SFTP metrics at {@code /actuator/prometheus}, after real logins, transfers and refusals. */
class SftpMetricsIT {

    static FerryInstance ferry;

    @BeforeAll
    static void start() {
        ferry = FerryInstance.start();
    }

    @AfterAll
    static void stop() {
        ferry.close();
    }

    @Test
    void prometheusShowsSessionsLoginsBytesOperationsErrorsAndQuotaDenials() throws Exception {
        KeyPair key = TestKeys.ed25519();
        Users.create(ferry.admin(), "metered", key, "\"quota\":{\"maxBytes\":100000}");
        byte[] data = new byte[50_000];

        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "metered", key)) {
            try (OutputStream out = client.sftp().write("a.bin")) {
                out.write(data);
            }
            try (InputStream in = client.sftp().read("a.bin")) {
                assertThat(in.readAllBytes()).hasSize(data.length);
            }
            client.sftp().mkdir("dir");
            client.sftp().rename("a.bin", "dir/a.bin");
            assertThatThrownBy(() -> client.sftp().read("missing.bin").close()).isInstanceOf(SftpException.class);
            assertThatThrownBy(() -> {
                try (OutputStream out = client.sftp().write("big.bin")) {
                    out.write(new byte[200_000]);
                }
            }).hasMessageContaining("quota exceeded");

            assertThat(PrometheusScrape.of(ferry.admin()).value("ferry_sftp_sessions")).isGreaterThanOrEqualTo(1);
        }
        assertThatThrownBy(() -> SftpTestClient.withKey(ferry.sftpPort(), "metered", TestKeys.ed25519()))
                .isInstanceOf(IOException.class);

        PrometheusScrape text = PrometheusScrape.of(ferry.admin());
        assertThat(text.value("ferry_sftp_logins_total", "outcome=\"success\"")).isGreaterThanOrEqualTo(1);
        assertThat(eventually("ferry_sftp_logins_total", "outcome=\"failure\"")).isGreaterThanOrEqualTo(1);
        assertThat(text.value("ferry_sftp_transferred_bytes_total", "direction=\"in\"")).isGreaterThanOrEqualTo(data.length);
        assertThat(text.value("ferry_sftp_transferred_bytes_total", "direction=\"out\"")).isGreaterThanOrEqualTo(data.length);
        for (String op : new String[] {"open", "write", "read", "close", "mkdir", "rename"}) {
            assertThat(text.value("ferry_sftp_operations_seconds_count", "op=\"" + op + "\"", "outcome=\"ok\""))
                    .as(op).isGreaterThanOrEqualTo(1);
        }
        assertThat(text.text()).contains("ferry_sftp_operations_seconds_bucket{");
        // MINA's client stats a file before it opens it for reading: the error is the STAT's.
        assertThat(text.value("ferry_sftp_errors_total", "kind=\"no_such_file\"")).as(text.text()).isGreaterThanOrEqualTo(1);
        assertThat(text.value("ferry_sftp_errors_total", "kind=\"eof\"")).as("end of file is no error").isZero();
        assertThat(text.value("ferry_sftp_quota_denials_total")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void prometheusNeedsAnAdmin() throws Exception {
        HttpResponse<String> anonymous = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(ferry.apiBase() + "/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
    }

    // ------------------------------------------------------------------------------------------

    /** The failure is counted when the server sees the connection close, just after the client gave up. */
    private static double eventually(String name, String... labels) throws Exception {
        double value = 0;
        for (int i = 0; i < 50 && value == 0; i++) {
            value = PrometheusScrape.of(ferry.admin()).value(name, labels);
            if (value == 0) {
                Thread.sleep(100);
            }
        }
        return value;
    }
}
