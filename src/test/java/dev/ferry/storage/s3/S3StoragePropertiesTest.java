package dev.ferry.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class S3StoragePropertiesTest {

    static S3StorageProperties with(String partSize, String uploadBuffer) {
        return new S3StorageProperties(null, "us-east-1", null, "AKIA-SECRET-ID", "very-secret", false, DataSize.parse(partSize),
                DataSize.parse(uploadBuffer), DataSize.parse("8MB"), Duration.ofHours(24), 128, DataSize.parse("5GB"));
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
}
