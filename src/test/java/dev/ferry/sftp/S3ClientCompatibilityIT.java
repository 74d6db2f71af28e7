package dev.ferry.sftp;

import dev.ferry.testsupport.TestS3;
import java.util.Map;

/** The clients against homes on S3 (MinIO where Docker runs, S3Proxy otherwise), looked at through the S3 API. */
class S3ClientCompatibilityIT extends ClientCompatibilityIT {

    private final TestS3 s3 = TestS3.get();
    private final String bucket = s3.newBucket();

    @Override
    Map<String, String> storageSettings() {
        return s3.ferrySettings(bucket);
    }

    @Override
    String storageJson(String username) {
        return "{\"type\":\"s3\",\"prefix\":\"clients/" + username + "/\"}";
    }

    @Override
    byte[] stored(String username, String path) {
        return s3.client().getObjectAsBytes(b -> b.bucket(bucket).key("clients/" + username + path)).asByteArray();
    }

    @Override
    boolean isEmpty(String username) {
        return s3.client().listObjectsV2(b -> b.bucket(bucket).prefix("clients/" + username + "/")).keyCount() == 0;
    }
}
