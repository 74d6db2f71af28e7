package dev.ferry.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The everyday mix at once, for half a minute, on the real jar: 8 paramiko sessions of four users
 * (two on local disk, two on S3; partner accounts without setstat, file and byte quotas) put
 * (also to a temporary name, then renamed), get, stat, list, rename, remove, mkdir, rmdir and
 * truncate in one shared directory per user, log in and out, run OpenSSH's sftp now and then,
 * and four of them are killed (SIGKILL) mid-upload.
 * Then: no operation failed that should not have ({@link SoakRules}), every confirmed upload has
 * its audit record, the storage holds only confirmed content, usage equals what is stored, and
 * the server is healthy, works, and logged no error ({@link ServerTruth}).
 * <p>
 * The operation sequence follows the seed ({@code -Dsoak.seed=...}, 14 by default); the failure
 * message is the run's report, and the server's and workers' logs stay in {@code target/soak-it/}
 * (the S3 objects in S3Proxy's directory, named at the end of the report).
 * The long run is {@code bench/soak.sh}.
 */
class SoakIT {

    @Test
    void sessionsRacingInSharedDirectoriesWithKilledClientsLeaveAHealthyServerAndConsistentRecords() throws Exception {
        long seed = Long.getLong("soak.seed", 14);
        Path work = Path.of("target", "soak-it", "seed-" + seed + "-" + System.currentTimeMillis()).toAbsolutePath();
        SoakRun.Result result = SoakRun.run(SoakPlan.forVerify(seed).withSystemProperties(), work);
        System.out.println(result.report());
        assertThat(result.findings()).as(result.report()).isEmpty();
        // Kept when the run found something.
        deleteRecursively(work);
        deleteRecursively(result.s3Data());
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
