package dev.ferry.storage;

import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.TestPostgres;
import dev.ferry.testsupport.TestS3;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The storage contract on S3 (MinIO where Docker runs, S3Proxy otherwise), each user under a prefix of one bucket. */
class S3HomeContractIT extends HomeContractIT {

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

    @Override
    boolean supportsLinks() {
        return false;
    }

    @Override
    List<String> stored(String username) {
        String prefix = prefix(username);
        List<String> stored = new ArrayList<>();
        for (S3Object object : s3.client().listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
            stored.add(object.key().substring(prefix.length()));
        }
        for (MultipartUpload upload : s3.client().listMultipartUploads(b -> b.bucket(bucket).prefix(prefix)).uploads()) {
            stored.add("multipart:" + upload.key().substring(prefix.length()));
        }
        return stored;
    }

    @Override
    int churnRounds() {
        return 3;
    }
}
