package dev.ferry.soak;

import dev.ferry.soak.SoakRules.Kind;
import dev.ferry.soak.SoakRules.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The figures of a soak run (operations per second and latency per kind, outcomes by class) and
 * its findings, as Markdown.
 */
final class SoakReport {

    private SoakReport() {
    }

    /** Unexpected outcomes grouped by reason, operation, status and message, each with a few examples. */
    static List<String> unexpectedFindings(List<OpRecord> ops) {
        Map<String, List<OpRecord>> groups = new LinkedHashMap<>();
        for (OpRecord op : ops) {
            Verdict verdict = SoakRules.classify(op);
            if (verdict.kind() == Kind.UNEXPECTED) {
                String outcome = op.ok() ? "answered OK" : op.status() + " '" + ServerTruth.normalize(String.valueOf(op.error())) + "'";
                groups.computeIfAbsent(verdict.reason() + ": " + op.user().storage() + " " + op.op() + " " + outcome,
                        k -> new ArrayList<>()).add(op);
            }
        }
        List<String> findings = new ArrayList<>();
        groups.forEach((key, list) -> {
            StringBuilder text = new StringBuilder("operations: " + list.size() + " x " + key);
            for (OpRecord op : list.subList(0, Math.min(3, list.size()))) {
                text.append("\n  e.g. ").append(op.describe()).append(" by ").append(op.where());
            }
            findings.add(text.toString());
        });
        return findings;
    }

    static String markdown(SoakPlan plan, SoakWorkers.Outcome outcome, Duration elapsed, List<String> findings) {
        StringBuilder out = new StringBuilder();
        long kills = outcome.ops().stream().filter(OpRecord::killed).count();
        out.append(String.format("Soak: seed %d, %d sessions (%s), %d s of workload, %d clients killed mid-upload%n%n", plan.seed(),
                plan.slots().size(), users(plan), elapsed.toSeconds(), kills));
        out.append("| operation | count | per s | ok | expected failures | unexpected | p50 ms | p99 ms |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        Map<String, List<OpRecord>> byKind = new TreeMap<>();
        for (OpRecord op : outcome.ops()) {
            byKind.computeIfAbsent(op.op() + (op.via().equals("openssh") ? " (OpenSSH)" : ""), k -> new ArrayList<>()).add(op);
        }
        double seconds = Math.max(1, elapsed.toMillis() / 1000.0);
        Map<String, Integer> expected = new TreeMap<>();
        Map<String, Integer> unexpected = new TreeMap<>();
        byKind.forEach((kind, list) -> {
            int ok = 0;
            int exp = 0;
            int unexp = 0;
            List<Double> latencies = new ArrayList<>();
            for (OpRecord op : list) {
                Verdict verdict = SoakRules.classify(op);
                switch (verdict.kind()) {
                    case OK -> ok++;
                    case EXPECTED -> {
                        exp++;
                        expected.merge(op.op() + ": " + verdict.reason(), 1, Integer::sum);
                    }
                    case UNEXPECTED -> {
                        unexp++;
                        unexpected.merge(op.op() + ": " + verdict.reason() + (op.status() == null ? "" : " (" + op.status() + ")"), 1,
                                Integer::sum);
                    }
                }
                if (!op.killed()) {
                    latencies.add(op.ms());
                }
            }
            latencies.sort(Comparator.naturalOrder());
            out.append(String.format("| %s | %d | %.1f | %d | %d | %d | %s | %s |%n", kind, list.size(), list.size() / seconds, ok, exp,
                    unexp, percentile(latencies, 50), percentile(latencies, 99)));
        });
        out.append("\nExpected failures by class:\n\n");
        expected.forEach((k, v) -> out.append("- ").append(v).append(" x ").append(k).append('\n'));
        out.append("\nUnexpected outcomes by class:\n\n");
        if (unexpected.isEmpty()) {
            out.append("- none\n");
        }
        unexpected.forEach((k, v) -> out.append("- ").append(v).append(" x ").append(k).append('\n'));
        out.append("\nFindings (").append(findings.size()).append("):\n\n");
        if (findings.isEmpty()) {
            out.append("- none\n");
        }
        for (String finding : findings) {
            out.append("- ").append(finding.replace("\n", "\n  ")).append('\n');
        }
        return out.toString();
    }

    private static String users(SoakPlan plan) {
        List<String> users = new ArrayList<>();
        for (SoakPlan.SoakUser user : plan.users()) {
            users.add(user.name() + " " + user.storage().name().toLowerCase() + " x" + user.sessions()
                    + (user.partner() ? " no setstat" : "") + (user.maxFiles() > 0 ? " maxFiles " + user.maxFiles() : "")
                    + (user.maxBytes() > 0 ? " maxBytes " + user.maxBytes() / (1024 * 1024) + " MiB" : "")
                    + (user.ballast() > 0 ? " +" + user.ballast() + " dirs" : ""));
        }
        return String.join(", ", users);
    }

    private static String percentile(List<Double> sorted, int p) {
        if (sorted.isEmpty()) {
            return "-";
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return String.format("%.0f", sorted.get(Math.max(0, Math.min(index, sorted.size() - 1))));
    }
}
