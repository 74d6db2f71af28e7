package dev.ferry.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.TestPostgres;
import dev.ferry.testsupport.Users;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.security.KeyPair;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.apache.sshd.sftp.client.SftpClient;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * With {@code sftp.audit.download-sha256=false} a download of a whole file is still recorded, with
 * its bytes and an explanation instead of a digest; uploads keep theirs.
 */
class DownloadDigestSwitchIT {

    @Test
    void downloadsAreRecordedWithoutADigestAndSayWhy() throws Exception {
        KeyPair key = TestKeys.ed25519();
        try (FerryInstance ferry = FerryInstance.start(TestPostgres.get().newDatabase(), FerryInstance.tempDir("ferry-files"),
                Map.of("sftp.audit.download-sha256", "false"))) {
            AdminClient admin = ferry.admin();
            Users.create(admin, "nodigest", key, null);
            byte[] data = new byte[700_000];
            new java.util.Random(3).nextBytes(data);
            try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "nodigest", key)) {
                try (var out = client.sftp().write("/f.bin")) {
                    out.write(data);
                }
                ByteArrayOutputStream back = new ByteArrayOutputStream();
                try (InputStream in = client.sftp().read("/f.bin")) {
                    in.transferTo(back);
                }
                assertThat(back.toByteArray()).isEqualTo(data);
                // A partial read says so, as with digests on.
                try (SftpClient.CloseableHandle h = client.sftp().open("/f.bin", SftpClient.OpenMode.Read)) {
                    client.sftp().read(h, 1000, new byte[10], 0, 10);
                }
            }
            JsonNode upload = only(admin, "UPLOAD");
            assertThat(upload.get("sha256").asText()).hasSize(64);
            var downloads = StreamSupport.stream(admin.get("/api/v1/audit?username=nodigest&type=DOWNLOAD").json().get("content")
                    .spliterator(), false).toList();
            assertThat(downloads).hasSize(2);
            JsonNode whole = downloads.stream().filter(d -> d.get("bytes").asLong() == data.length).findFirst().orElseThrow();
            assertThat(whole.get("sha256").isNull()).as(whole.toString()).isTrue();
            assertThat(whole.get("detail").asText()).contains("whole file").contains("download-sha256=false");
            JsonNode partial = downloads.stream().filter(d -> d.get("bytes").asLong() == 10).findFirst().orElseThrow();
            assertThat(partial.get("detail").asText()).startsWith("partial read");
        }
    }

    private static JsonNode only(AdminClient admin, String type) {
        var content = admin.get("/api/v1/audit?username=nodigest&type=" + type).json().get("content");
        assertThat(content.size()).as(content.toString()).isEqualTo(1);
        return content.get(0);
    }
}
