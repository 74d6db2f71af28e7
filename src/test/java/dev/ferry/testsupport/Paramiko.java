package dev.ferry.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Runs SFTP requests through paramiko (Debian's /usr/bin/python3), as Python tools send them: one
 * session per call, one outcome per step (see src/test/resources/clients/paramiko_ops.py).
 */
public final class Paramiko {

    private static final Path SCRIPT = Path.of("src/test/resources/clients/paramiko_ops.py").toAbsolutePath();

    /** One step's outcome: its result when it succeeded, paramiko's error text when it failed. */
    public record Outcome(boolean ok, JsonNode result, String error) {

        public String text() {
            return result == null || result.isNull() ? null : result.asString();
        }
    }

    private final int port;
    private final String username;
    private final Path keyFile;

    public Paramiko(int port, String username, Path keyFile) {
        this.port = port;
        this.username = username;
        this.keyFile = keyFile;
    }

    /** Runs the steps in one session from {@code workDir}, e.g. {@code List.of("mkdir", "/d")}. */
    @SafeVarargs
    public final List<Outcome> run(Path workDir, List<String>... steps) {
        StringBuilder input = new StringBuilder();
        for (List<String> step : steps) {
            input.append(AdminClient.MAPPER.writeValueAsString(step)).append('\n');
        }
        ExternalCommand.Result run = ExternalCommand.run(workDir,
                List.of("/usr/bin/python3", SCRIPT.toString(), String.valueOf(port), username, keyFile.toString()),
                input.toString());
        assertThat(run.exitCode()).as(run.output()).isZero();
        List<Outcome> outcomes = new ArrayList<>();
        for (String line : run.output().lines().filter(l -> l.startsWith("{")).toList()) {
            JsonNode json = AdminClient.MAPPER.readTree(line);
            outcomes.add(new Outcome(json.get("ok").asBoolean(), json.get("result"),
                    json.has("error") ? json.get("error").asString() : null));
        }
        assertThat(outcomes).as(run.output()).hasSize(steps.length);
        return outcomes;
    }

    /** Runs one step and returns its outcome. */
    public Outcome one(Path workDir, String... step) {
        return run(workDir, List.of(step)).get(0);
    }
}
