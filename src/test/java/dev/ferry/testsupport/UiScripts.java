package dev.ferry.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs an end-to-end script of admin-ui/e2e (node + playwright-core driving Chromium) against a
 * running Ferry, echoing its output as it comes, and requires it to pass within 4 minutes.
 */
public final class UiScripts {

    /** The admin UI's directory, where the scripts and their node_modules are. */
    public static final Path UI = Path.of("admin-ui").toAbsolutePath();

    private UiScripts() {
    }

    /** Where the scripts write their screenshots ({@code -Dferry.screenshots}, default target/screenshots). */
    public static Path screenshots() {
        return Path.of(System.getProperty("ferry.screenshots", "target/screenshots")).toAbsolutePath();
    }

    /** Runs {@code script} (relative to admin-ui/) with {@code env} plus FERRY_URL and SCREENSHOT_DIR; it must pass. */
    public static void run(FerryInstance ferry, String script, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder e2e = new ProcessBuilder("node", script).directory(UI.toFile()).redirectErrorStream(true);
        e2e.environment().putAll(env);
        e2e.environment().put("FERRY_URL", ferry.apiBase());
        e2e.environment().put("SCREENSHOT_DIR", screenshots().toString());
        Process process = e2e.start();
        StringBuilder output = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (var lines = process.inputReader(StandardCharsets.UTF_8)) {
                lines.lines().forEach(line -> {
                    System.out.println(line);
                    synchronized (output) {
                        output.append(line).append('\n');
                    }
                });
            } catch (IOException e) {
                // the process ended
            }
        });
        reader.start();
        boolean finished = process.waitFor(4, TimeUnit.MINUTES);
        if (!finished) {
            process.destroyForcibly();
        }
        reader.join(5000);
        synchronized (output) {
            assertThat(finished).as(script + " finished within 4 minutes:\n" + output).isTrue();
            assertThat(process.exitValue()).as(script + ":\n" + output).isZero();
        }
    }
}
