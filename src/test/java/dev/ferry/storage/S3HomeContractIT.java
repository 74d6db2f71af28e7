package dev.ferry.storage;

import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.TestPostgres;
import dev.ferry.testsupport.TestS3;

/** The storage contract on S3 (MinIO where Docker runs, S3Proxy otherwise), each user under a prefix of one bucket. */
class S3HomeContractIT extends HomeContractIT {

    @Override
    FerryInstance startFerry() {
        TestS3 s3 = TestS3.get();
        return FerryInstance.start(TestPostgres.get().newDatabase(), FerryInstance.tempDir("ferry-files"),
                s3.ferrySettings(s3.newBucket()));
    }

    @Override
    String storageJson(String username) {
        return "{\"type\":\"s3\",\"prefix\":\"partners/" + username + "/\"}";
    }

    @Override
    boolean supportsLinks() {
        return false;
    }

    @Override
    int churnRounds() {
        return 3;
    }
}
