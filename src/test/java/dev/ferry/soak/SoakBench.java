package dev.ferry.soak;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The long soak ({@code bench/soak.sh}): the same run as {@link SoakIT} with more clients for
 * longer, printing its figures and findings and writing them to {@code --out}. Exits 1 when the
 * run found something, 0 otherwise.
 *
 * <pre>
 * SoakBench [--clients 20] [--seconds 300] [--seed 1] [--out FILE.md]
 * </pre>
 *
 * The {@code soak.*} system properties of {@link SoakPlan#withSystemProperties()} apply too.
 */
public final class SoakBench {

    private SoakBench() {
    }

    public static void main(String[] args) throws Exception {
        int clients = 20;
        int seconds = 300;
        long seed = 1;
        Path out = null;
        for (int i = 0; i < args.length; i += 2) {
            String value = i + 1 < args.length ? args[i + 1] : usage("missing value for " + args[i]);
            switch (args[i]) {
                case "--clients" -> clients = Integer.parseInt(value);
                case "--seconds" -> seconds = Integer.parseInt(value);
                case "--seed" -> seed = Long.parseLong(value);
                case "--out" -> out = Path.of(value);
                default -> usage("unknown option " + args[i]);
            }
        }
        Path work = Path.of("target", "soak-bench", "seed-" + seed + "-" + System.currentTimeMillis()).toAbsolutePath();
        SoakRun.Result result = SoakRun.run(SoakPlan.forBench(seed, clients, Duration.ofSeconds(seconds)).withSystemProperties(), work);
        System.out.println(result.report());
        if (out != null) {
            Files.writeString(out, result.report());
        }
        System.exit(result.findings().isEmpty() ? 0 : 1);
    }

    private static String usage(String problem) {
        System.err.println(problem + "\nusage: SoakBench [--clients 20] [--seconds 300] [--seed 1] [--out FILE.md]");
        System.exit(2);
        return null;
    }
}
