package dev.ferry.sftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.SftpTestClient;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.TestPostgres;
import dev.ferry.testsupport.Users;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Before login every connection is on a clock and counted; trickling bytes buys no time. */
class PreAuthLimitsIT {

    static FerryInstance ferry;
    static KeyPair key = TestKeys.ed25519();

    @BeforeAll
    static void start() {
        ferry = FerryInstance.start(TestPostgres.get().newDatabase(), FerryInstance.tempDir("ferry-preauth"),
                Map.of("sftp.auth-timeout", "3s", "sftp.max-unauthenticated-per-address", "5"));
        Users.create(ferry.admin(), "patient", key, null);
    }

    @AfterAll
    static void stop() {
        ferry.close();
    }

    @Test
    void aClientTricklingBytesIsCutOffAtTheAuthenticationTimeLimit() throws Exception {
        long start = System.nanoTime();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), ferry.sftpPort())) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write("SSH-2.0-Trickler_1.0\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread drain = new Thread(() -> {
                try {
                    in.transferTo(OutputStream.nullOutputStream());
                } catch (java.io.IOException ignored) {
                    // closed by the server
                }
            });
            drain.start();
            // One byte of a never-ending packet every 500 ms.
            try {
                out.write(new byte[] {0, 0, 0x10, 0});
                for (int i = 0; i < 40 && drain.isAlive(); i++) {
                    out.write(0x41);
                    out.flush();
                    Thread.sleep(500);
                }
            } catch (java.io.IOException closed) {
                // the server closed the connection: expected
            }
            drain.join(15_000);
            assertThat(drain.isAlive()).as("connection still open").isFalse();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(seconds).as("seconds until the server cut the connection").isLessThan(10);
    }

    @Test
    void idleUnauthenticatedConnectionsFromOneAddressAreCapped() throws Exception {
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), ferry.sftpPort());
                s.getOutputStream().write(("SSH-2.0-Idle_" + i + "\r\n").getBytes(StandardCharsets.US_ASCII));
                idle.add(s);
            }
            Thread.sleep(500);
            // The sixth unauthenticated connection from this address is refused at once...
            try (Socket sixth = new Socket(InetAddress.getLoopbackAddress(), ferry.sftpPort())) {
                sixth.setSoTimeout(5_000);
                sixth.getOutputStream().write("SSH-2.0-Sixth\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] all = sixth.getInputStream().readAllBytes();
                assertThat(all.length).as("bytes before the server closed").isLessThan(4096);
            }
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }
        Thread.sleep(500);
        // ...and once they are gone, a real client logs in.
        try (SftpTestClient client = SftpTestClient.withKey(ferry.sftpPort(), "patient", key)) {
            assertThat(client.sftp().canonicalPath(".")).isEqualTo("/");
        }
    }
}
