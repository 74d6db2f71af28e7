package dev.ferry.soak;

import dev.ferry.soak.SoakPlan.Kill;
import dev.ferry.soak.SoakPlan.Slot;
import dev.ferry.soak.SoakPlan.Storage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs the soak's client processes ({@code soak_worker.py}, paramiko with /usr/bin/python3): one
 * per slot, started again after each planned kill until the deadline. A worker that exits any
 * other way than by the deadline or its planned SIGKILL, or is still running long after the
 * deadline, is a failure of the run.
 */
final class SoakWorkers {

    static final Path SCRIPT = Path.of("src", "test", "resources", "soak", "soak_worker.py").toAbsolutePath();
    private static final String PYTHON = "/usr/bin/python3";
    /** Any single request the server leaves unanswered this long counts as a hang (not a speed limit). */
    static final int OP_TIMEOUT_SECONDS = 60;
    private static final int SIGKILL_EXIT = 128 + 9;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** What the workers did: every operation, and what went wrong with the workers themselves. */
    record Outcome(List<OpRecord> ops, List<String> workerFailures, List<Path> stateFiles) {
    }

    private final SoakPlan plan;
    private final SoakServer server;
    private final Path dir;
    private final Set<Process> running = ConcurrentHashMap.newKeySet();

    SoakWorkers(SoakPlan plan, SoakServer server, Path dir) {
        this.plan = plan;
        this.server = server;
        this.dir = dir;
    }

    Outcome run() throws Exception {
        // A bench run ended by Ctrl-C must not leave its clients running until their deadline.
        Thread stopClients = new Thread(() -> running.forEach(Process::destroyForcibly));
        Runtime.getRuntime().addShutdownHook(stopClients);
        try {
            return runWorkers();
        } finally {
            Runtime.getRuntime().removeShutdownHook(stopClients);
        }
    }

    private Outcome runWorkers() throws Exception {
        long deadline = System.currentTimeMillis() + plan.duration().toMillis();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (Slot slot : plan.slots()) {
            Thread thread = new Thread(() -> runSlot(slot, deadline, failures), "soak-worker-" + slot.index());
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        List<OpRecord> ops = new ArrayList<>();
        List<Path> states = new ArrayList<>();
        for (Slot slot : plan.slots()) {
            Path log = slotDir(slot).resolve("ops.jsonl");
            if (Files.exists(log)) {
                for (String line : Files.readAllLines(log)) {
                    if (!line.isBlank()) {
                        ops.add(OpRecord.parse(slot.user(), JSON.readTree(line)));
                    }
                }
            }
            states.add(slotDir(slot).resolve("state.json"));
        }
        return new Outcome(ops, List.copyOf(failures), states);
    }

    /** The own-file state a slot's last incarnation left: path to {"exists","size","sha256"}. */
    static JsonNode state(Path stateFile) throws IOException {
        return Files.exists(stateFile) ? JSON.readTree(stateFile.toFile()) : JSON.createObjectNode();
    }

    private void runSlot(Slot slot, long deadline, List<String> failures) {
        List<Kill> kills = plan.kills().get(slot.index());
        try {
            Path slotDir = Files.createDirectories(slotDir(slot));
            for (int incarnation = 0; System.currentTimeMillis() < deadline; incarnation++) {
                Kill kill = incarnation < kills.size() ? kills.get(incarnation) : null;
                Path config = slotDir.resolve("config-" + incarnation + ".json");
                Files.writeString(config, config(slot, incarnation, deadline, kill, slotDir).toString());
                Path output = slotDir.resolve("worker-" + incarnation + ".out");
                Process process = new ProcessBuilder(PYTHON, SCRIPT.toString(), config.toString())
                        .redirectErrorStream(true).redirectOutput(output.toFile()).start();
                running.add(process);
                long grace = deadline - System.currentTimeMillis() + 3L * OP_TIMEOUT_SECONDS * 1000;
                if (!process.waitFor(grace, TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                    failures.add(slot.user().name() + " worker " + slot.index() + " inc " + incarnation
                            + " was still running " + 3 * OP_TIMEOUT_SECONDS + " s after the deadline (a request never answered?)");
                    return;
                }
                running.remove(process);
                int exit = process.exitValue();
                if (exit == SIGKILL_EXIT && kill != null) {
                    continue; // its planned death: the next incarnation takes over
                }
                if (exit != 0) {
                    failures.add(slot.user().name() + " worker " + slot.index() + " inc " + incarnation + " exited with " + exit
                            + ":\n" + Files.readString(output));
                }
                return;
            }
        } catch (IOException e) {
            failures.add("worker " + slot.index() + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ObjectNode config(Slot slot, int incarnation, long deadline, Kill kill, Path slotDir) {
        ObjectNode config = JSON.createObjectNode();
        config.put("host", "127.0.0.1");
        config.put("port", server.sftpPort());
        config.put("user", slot.user().name());
        config.put("key", server.keyFile().toString());
        config.put("worker", slot.index());
        config.put("incarnation", incarnation);
        config.put("seed", plan.seed());
        config.put("deadline", deadline / 1000.0);
        config.put("log", slotDir.resolve("ops.jsonl").toString());
        config.put("state", slotDir.resolve("state.json").toString());
        config.put("workdir", slotDir.toString());
        config.put("opTimeout", OP_TIMEOUT_SECONDS);
        config.put("bigUploads", slot.user().storage() == Storage.S3);
        // Only users with every permission truncate; OpenSSH's sftp prints "Failure" for any
        // failure, so its uploads go only where a failure is never legitimate (no quota).
        config.put("truncate", !slot.user().partner());
        config.put("openssh", !slot.user().hasQuota());
        plan.onlyOps().forEach(config.putArray("ops")::add);
        if (kill != null) {
            ObjectNode k = config.putObject("kill");
            k.put("atPut", kill.atPut());
            k.put("size", kill.size());
            k.put("after", kill.after());
        } else {
            config.putNull("kill");
        }
        return config;
    }

    private Path slotDir(Slot slot) {
        return dir.resolve("worker-" + slot.index());
    }
}
