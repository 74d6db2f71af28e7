package dev.ferry.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A client program run to its end, with its exit code and its output (stdout and stderr together).
 * Input and output go through files, so a program that hangs with its output open still times out.
 */
public final class ExternalCommand {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    public record Result(int exitCode, String output) {
    }

    private ExternalCommand() {
    }

    public static Result run(Path workDir, List<String> command, String stdin) {
        return run(workDir, command, stdin, Map.of());
    }

    /** Runs {@code command} in {@code workDir} with extra environment variables; at most two minutes. */
    public static Result run(Path workDir, List<String> command, String stdin, Map<String, String> environment) {
        Path input = null;
        Path output = null;
        try {
            input = Files.createTempFile("ferry-cmd", ".in");
            output = Files.createTempFile("ferry-cmd", ".out");
            Files.writeString(input, stdin, StandardCharsets.UTF_8);
            ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                    .redirectInput(input.toFile()).redirectOutput(output.toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("did not end within " + TIMEOUT + ": " + command + "\n" + Files.readString(output));
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.get(0) + " (is it installed? .ci/run installs the test clients)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            deleteQuietly(input);
            deleteQuietly(output);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temp file left behind
            }
        }
    }
}
