package dev.ferry.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.KeyPair;
import java.time.Duration;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;

/** A Java SFTP client (Apache MINA SSHD's) over a real socket, for fine-grained protocol tests. */
public final class SftpTestClient implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static SshClient client;

    private final ClientSession session;
    private final SftpClient sftp;

    private SftpTestClient(ClientSession session, SftpClient sftp) {
        this.session = session;
        this.sftp = sftp;
    }

    public static synchronized SshClient sshClient() {
        if (client == null) {
            client = SshClient.setUpDefaultClient();
            client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
            client.start();
        }
        return client;
    }

    public static SftpTestClient withKey(int port, String username, KeyPair key) throws IOException {
        ClientSession session = session(port, username);
        session.addPublicKeyIdentity(key);
        return open(session);
    }

    public static SftpTestClient withPassword(int port, String username, String password) throws IOException {
        ClientSession session = session(port, username);
        session.addPasswordIdentity(password);
        return open(session);
    }

    /** A session that is connected but not yet authenticated. */
    public static ClientSession session(int port, String username) throws IOException {
        return sshClient().connect(username, "127.0.0.1", port).verify(TIMEOUT).getSession();
    }

    private static SftpTestClient open(ClientSession session) throws IOException {
        try {
            session.auth().verify(TIMEOUT);
            return new SftpTestClient(session, SftpClientFactory.instance().createSftpClient(session));
        } catch (IOException | RuntimeException e) {
            session.close(true);
            throw e;
        }
    }

    public SftpClient sftp() {
        return sftp;
    }

    public ClientSession session() {
        return session;
    }

    /** A whole upload in one WRITE: open (create), write {@code data} at 0, close; the CLOSE's answer confirms it. */
    public void put(String path, byte[] data) throws IOException {
        try (SftpClient.CloseableHandle handle = sftp.open(path, SftpClient.OpenMode.Write, SftpClient.OpenMode.Create)) {
            sftp.write(handle, 0, data);
        }
    }

    @Override
    public void close() {
        try {
            sftp.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            session.close(true);
        }
    }
}
