package dev.ferry.sftp.transfer;

import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.TestPostgres;
import dev.ferry.testsupport.TestS3;
import software.amazon.awssdk.core.sync.RequestBody;

/** Stored download digests on S3 (S3Proxy as its own process, or MinIO where Docker runs). */
class S3DownloadDigestsIT extends DownloadDigestsContract {

    private final TestS3 s3 = TestS3.get();
    private final String bucket = s3.newBucket();

    @Override
    FerryInstance startFerry() {
        return FerryInstance.start(TestPostgres.get().newDatabase(), FerryInstance.tempDir("ferry-files"), s3.ferrySettings(bucket));
    }

    @Override
    String storageJson(String username) {
        return "{\"type\":\"s3\",\"prefix\":\"" + prefix(username) + "\"}";
    }

    private static String prefix(String username) {
        return "partners/" + username + "/";
    }

    /** A PUT straight to the bucket: a new ETag for the same size. */
    @Override
    void changeBehindFerrysBack(String username, String path, byte[] content) {
        s3.client().putObject(b -> b.bucket(bucket).key(prefix(username) + path.substring(1)), RequestBody.fromBytes(content));
    }
}
