package dev.ferry.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class S3StoragePropertiesTest {

    static S3StorageProperties with(String partSize, String uploadBuffer) {
        return new S3StorageProperties(null, "us-east-1", null, "AKIA-SECRET-ID", "very-secret", false, DataSize.parse(partSize),
                DataSize.parse(uploadBuffer), DataSize.parse("8MB"), Duration.ofHours(24), false, 128, DataSize.parse("5GB"));
    }

    @Test
    void theUploadBufferHoldsWholeParts() {
        assertThat(with("8MB", "32MB").partsInMemory()).isEqualTo(4);
        assertThat(with("5MB", "32MB").partsInMemory()).isEqualTo(6);
    }

    @Test
    void partsSmallerThanS3AllowsOrABufferOfLessThanTwoPartsAreRefusedAtStart() {
        assertThatThrownBy(() -> with("4MB", "32MB")).hasMessageContaining("part-size");
        assertThatThrownBy(() -> with("16MB", "24MB")).hasMessageContaining("upload-buffer");
    }

    @Test
    void secretsStayOutOfTheDescription() {
        assertThat(with("8MB", "32MB").toString()).doesNotContain("very-secret").doesNotContain("AKIA-SECRET-ID");
    }

    @Test
    void theContractsEnvironmentNamesBind() {
        var environment = new org.springframework.core.env.SystemEnvironmentPropertySource("env", java.util.Map.of(
                "SFTP_STORAGE_S3_ENDPOINT", "http://minio:9000",
                "SFTP_STORAGE_S3_REGION", "eu-west-1",
                "SFTP_STORAGE_S3_BUCKET", "partners",
                "SFTP_STORAGE_S3_ACCESS_KEY", "id",
                "SFTP_STORAGE_S3_SECRET_KEY", "secret",
                "SFTP_STORAGE_S3_PATH_STYLE", "true"));
        var binder = new org.springframework.boot.context.properties.bind.Binder(
                org.springframework.boot.context.properties.source.ConfigurationPropertySources.from(environment));
        S3StorageProperties bound = binder.bindOrCreate("sftp.storage.s3", S3StorageProperties.class);
        assertThat(bound.endpoint()).isEqualTo("http://minio:9000");
        assertThat(bound.region()).isEqualTo("eu-west-1");
        assertThat(bound.bucket()).isEqualTo("partners");
        assertThat(bound.accessKey()).isEqualTo("id");
        assertThat(bound.secretKey()).isEqualTo("secret");
        assertThat(bound.pathStyle()).isTrue();
        assertThat(bound.partSize()).isEqualTo(DataSize.ofMegabytes(8));
    }
}
