package dev.ferry.soak;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One soak run: the server started, the users made, the workers run for the plan's duration,
 * then every outcome classified and the server's records and storage checked. Used by
 * {@link SoakIT} (small) and {@link SoakBench} (long).
 */
final class SoakRun {

    /**
     * What the run found (empty: all held) and its report, also written to {@code work/report.md};
     * the run's files are in {@code work} and, for the S3 homes, in {@code s3Data}.
     */
    record Result(List<String> findings, String report, Path work, Path s3Data) {
    }

    private SoakRun() {
    }

    static Result run(SoakPlan plan, Path work) throws Exception {
        Files.createDirectories(work);
        long t0 = System.nanoTime();
        try (SoakServer server = SoakServer.start(work, plan.ferryJvmOptions(), plan.auditDurability())) {
            long t1 = System.nanoTime();
            for (SoakPlan.SoakUser user : plan.users()) {
                server.createUser(user);
            }
            long t2 = System.nanoTime();
            SoakWorkers.Outcome outcome = new SoakWorkers(plan, server, work.resolve("workers")).run();
            long t3 = System.nanoTime();
            Duration elapsed = Duration.ofNanos(t3 - t2);
            List<String> findings = new ArrayList<>(outcome.workerFailures());
            findings.addAll(SoakReport.unexpectedFindings(outcome.ops()));
            findings.addAll(ServerTruth.check(server, plan, outcome));
            long t4 = System.nanoTime();
            String report = SoakReport.markdown(plan, outcome, elapsed, findings)
                    + String.format("%nPhases: servers started in %d s, users %d s, workload %d s, checks %d s (load average %s)%n",
                            seconds(t1 - t0), seconds(t2 - t1), seconds(t3 - t2), seconds(t4 - t3), loadAverage())
                    + "\nServer log, worker logs (ops.jsonl) and configs: " + work + "; S3 objects: " + server.s3Data() + "\n";
            Files.writeString(work.resolve("report.md"), report);
            return new Result(List.copyOf(findings), report, work, server.s3Data());
        }
    }

    private static long seconds(long nanos) {
        return Math.round(nanos / 1e9);
    }

    /** The machine's 1-minute load average, for the reader of the figures (the machines here are shared). */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
