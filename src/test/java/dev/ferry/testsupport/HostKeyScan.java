package dev.ferry.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A server's host key fingerprint as an OpenSSH user checks it: ssh-keyscan piped to ssh-keygen -lf -. */
public final class HostKeyScan {

    private static final Pattern FINGERPRINT = Pattern.compile("SHA256:[A-Za-z0-9+/]+");

    private HostKeyScan() {
    }

    /** The SHA256 fingerprint of the server's key of one type ("ed25519", "rsa", ...). */
    public static String fingerprint(int port, String type) {
        Path here = Path.of(".");
        ExternalCommand.Result scan = ExternalCommand.run(here,
                List.of("ssh-keyscan", "-T", "10", "-p", String.valueOf(port), "-t", type, "127.0.0.1"), "");
        List<String> keys = scan.output().lines().filter(line -> line.startsWith("127.0.0.1") || line.startsWith("[127.0.0.1]"))
                .toList();
        assertThat(keys).as("ssh-keyscan -t %s: %s", type, scan.output()).hasSize(1);
        ExternalCommand.Result listed = ExternalCommand.run(here, List.of("ssh-keygen", "-lf", "-"), keys.get(0) + "\n");
        assertThat(listed.exitCode()).as(listed.output()).isZero();
        Matcher sha = FINGERPRINT.matcher(listed.output());
        assertThat(sha.find()).as(listed.output()).isTrue();
        return sha.group();
    }
}
