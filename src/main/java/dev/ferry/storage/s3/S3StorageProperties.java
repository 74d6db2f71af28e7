package dev.ferry.storage.s3;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * S3 and S3-compatible storage ({@code sftp.storage.s3.*}, environment {@code SFTP_STORAGE_S3_*}).
 *
 * @param endpoint          S3-compatible endpoint URL; unset means AWS
 * @param region            signing region
 * @param bucket            default bucket of users whose storage names none
 * @param accessKey         static credentials; unset means the AWS default credential chain
 * @param secretKey         static credentials, never logged
 * @param pathStyle         path-style addressing (MinIO, S3Proxy, Ceph)
 * @param partSize          multipart part size (S3's minimum is 5 MiB)
 * @param uploadBuffer      memory one upload may hold (parts being filled and parts being sent):
 *                          this divided by the part size is how far ahead of a gap writes may land
 * @param readAhead         bytes a download fetches ahead of the client
 * @param pendingRetention  interrupted uploads kept for resuming this long, then aborted
 * @param resumeInterruptedUploads whether an upload cut off by a lost connection keeps the parts S3
 *                          has, and a stat of its name answers the size it can continue from
 *                          (OpenSSH's reput, lftp's put -c). Off by default: the name then shows
 *                          nothing until a client closes an upload, as the atomic-upload contract
 *                          says; on, that stat (never a listing or a download) answers before it.
 * @param maxConnections    HTTP connections to the S3 endpoint, shared by all sessions
 * @param copyInPartsAbove  renames copy objects larger than this in parts (S3 copies at most 5 GiB at once)
 */
@ConfigurationProperties("sftp.storage.s3")
public record S3StorageProperties(
        String endpoint,
        @DefaultValue("us-east-1") String region,
        String bucket,
        String accessKey,
        String secretKey,
        @DefaultValue("false") boolean pathStyle,
        @DefaultValue("8MB") DataSize partSize,
        @DefaultValue("32MB") DataSize uploadBuffer,
        @DefaultValue("8MB") DataSize readAhead,
        @DefaultValue("24h") Duration pendingRetention,
        @DefaultValue("false") boolean resumeInterruptedUploads,
        @DefaultValue("128") int maxConnections,
        @DefaultValue("5GB") DataSize copyInPartsAbove) {

    static final long MIN_PART_SIZE = 5L * 1024 * 1024;

    public S3StorageProperties {
        if (partSize.toBytes() < MIN_PART_SIZE || partSize.toBytes() > 512L * 1024 * 1024) {
            throw new IllegalArgumentException("sftp.storage.s3.part-size must be between 5MB and 512MB, not " + partSize);
        }
        if (uploadBuffer.toBytes() < 2 * partSize.toBytes()) {
            throw new IllegalArgumentException("sftp.storage.s3.upload-buffer must hold at least two parts ("
                    + 2 * partSize.toMegabytes() + "MB), not " + uploadBuffer);
        }
        if (copyInPartsAbove.toBytes() < MIN_PART_SIZE || copyInPartsAbove.toBytes() > 5L * 1024 * 1024 * 1024) {
            throw new IllegalArgumentException("sftp.storage.s3.copy-in-parts-above must be between 5MB and 5GB, not " + copyInPartsAbove);
        }
        if (readAhead.toBytes() < 64 * 1024) {
            throw new IllegalArgumentException("sftp.storage.s3.read-ahead must be at least 64KB, not " + readAhead);
        }
    }

    /** How many part buffers one upload may hold at once. */
    int partsInMemory() {
        return (int) Math.min(1024, uploadBuffer.toBytes() / partSize.toBytes());
    }

    @Override
    public String toString() {
        return "S3StorageProperties[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket
                + ", accessKey=" + (accessKey == null ? null : "(set)") + ", secretKey=" + (secretKey == null ? null : "(set)")
                + ", pathStyle=" + pathStyle + ", partSize=" + partSize + ", uploadBuffer=" + uploadBuffer + "]";
    }
}
