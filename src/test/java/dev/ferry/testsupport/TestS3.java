package dev.ferry.testsupport;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.testcontainers.containers.GenericContainer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One real S3 API server for the whole test JVM: MinIO through Testcontainers where a Docker
 * engine answers, otherwise S3Proxy started from the build as its own process. Never skips.
 * Each caller gets buckets of its own ({@link #newBucket()}).
 */
public final class TestS3 {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static volatile TestS3 instance;

    private final String endpoint;
    private final String accessKey;
    private final String secretKey;
    private final String kind;
    private final S3Client client;

    private TestS3(String endpoint, String accessKey, String secretKey, String kind) {
        this.endpoint = endpoint;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.kind = kind;
        this.client = client(endpoint, accessKey, secretKey);
    }

    public static synchronized TestS3 get() {
        if (instance == null) {
            instance = start();
        }
        return instance;
    }

    /** An S3 client for a server, as tests use it to look behind Ferry's back. */
    public static S3Client client(String endpoint, String accessKey, String secretKey) {
        return S3Client.builder()
                .endpointOverride(URI.create(endpoint))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .addPlugin(software.amazon.awssdk.services.s3.LegacyMd5Plugin.create())
                .build();
    }

    public String endpoint() {
        return endpoint;
    }

    public String kind() {
        return kind;
    }

    public S3Client client() {
        return client;
    }

    /** Creates an empty bucket of the caller's own. */
    public String newBucket() {
        String bucket = "ferry-test-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
        client.createBucket(b -> b.bucket(bucket));
        return bucket;
    }

    /** Ferry's settings for this server ({@code sftp.storage.s3.*}), with a default bucket. */
    public Map<String, String> ferrySettings(String defaultBucket) {
        return settings(endpoint, accessKey, secretKey, defaultBucket);
    }

    public static Map<String, String> settings(String endpoint, String accessKey, String secretKey, String defaultBucket) {
        Map<String, String> settings = new HashMap<>();
        settings.put("sftp.storage.s3.endpoint", endpoint);
        settings.put("sftp.storage.s3.access-key", accessKey);
        settings.put("sftp.storage.s3.secret-key", secretKey);
        settings.put("sftp.storage.s3.path-style", "true");
        if (defaultBucket != null) {
            settings.put("sftp.storage.s3.bucket", defaultBucket);
        }
        return settings;
    }

    private static TestS3 start() {
        if (Docker.available()) {
            try {
                @SuppressWarnings("resource")
                GenericContainer<?> minio = new GenericContainer<>("minio/minio:latest")
                        .withCommand("server", "/data")
                        .withEnv("MINIO_ROOT_USER", S3ProxyServer.ACCESS_KEY)
                        .withEnv("MINIO_ROOT_PASSWORD", S3ProxyServer.SECRET_KEY)
                        .withExposedPorts(9000);
                minio.start();
                Runtime.getRuntime().addShutdownHook(new Thread(minio::stop));
                String endpoint = "http://" + minio.getHost() + ":" + minio.getMappedPort(9000);
                System.out.println("[TestS3] using a Testcontainers MinIO at " + endpoint);
                return new TestS3(endpoint, S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY, "minio");
            } catch (RuntimeException e) {
                System.out.println("[TestS3] Docker answered but MinIO did not start (" + e + "); using S3Proxy");
            }
        } else {
            System.out.println("[TestS3] no Docker engine: using S3Proxy started from the build");
        }
        S3ProxyServer server = S3ProxyServer.start();
        return new TestS3(server.endpoint(), S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY, "s3proxy");
    }
}
