package dev.ferry.testsupport;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs OpenSSH's own {@code sftp} and {@code scp} command-line clients against a test server. */
public final class OpenSshClient {

    private final int port;
    private final String username;
    private final Path keyFile;

    public OpenSshClient(int port, String username, Path keyFile) {
        this.port = port;
        this.username = username;
        this.keyFile = keyFile;
    }

    /** {@code sftp -b -} with the given batch commands; a failing command ends the batch with exit code 1. */
    public ExternalCommand.Result sftpBatch(Path workDir, String... commands) {
        List<String> cmd = new ArrayList<>(List.of("sftp", "-b", "-", "-P", String.valueOf(port)));
        cmd.addAll(commonOptions());
        cmd.add(username + "@127.0.0.1");
        return ExternalCommand.run(workDir, cmd, String.join("\n", commands) + "\n");
    }

    /** {@code scp} (SFTP protocol, the default of OpenSSH 9) with the given arguments. */
    public ExternalCommand.Result scp(Path workDir, String... args) {
        List<String> cmd = new ArrayList<>(List.of("scp", "-P", String.valueOf(port)));
        cmd.addAll(commonOptions());
        cmd.addAll(List.of(args));
        return ExternalCommand.run(workDir, cmd, "");
    }

    public String remote(String path) {
        return username + "@127.0.0.1:" + path;
    }

    private List<String> commonOptions() {
        return List.of("-F", "/dev/null", "-i", keyFile.toString(),
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR",
                "-o", "ConnectTimeout=20");
    }
}
