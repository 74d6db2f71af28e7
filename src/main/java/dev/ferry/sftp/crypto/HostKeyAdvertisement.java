package dev.ferry.sftp.crypto;

import java.io.IOException;
import java.security.PublicKey;
import java.util.List;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells each client, once it has logged in, every active host key (OpenSSH's
 * {@code hostkeys-00@openssh.com}), as OpenSSH's sshd does: a client with {@code UpdateHostKeys}
 * asks for proofs ({@link HostKeyProofs}) and adds the new keys to known_hosts, and drops the ones
 * no longer listed, so a key can be rotated without a host key warning. MINA's server does not send
 * it.
 * <p>
 * Sent from MINA's timer thread, not from the session event: the event fires while MINA is writing
 * the USERAUTH_SUCCESS packet, and a packet written from within it would go out before that one.
 */
public final class HostKeyAdvertisement implements SessionListener {

    public static final String REQUEST = "hostkeys-00@openssh.com";
    private static final Logger log = LoggerFactory.getLogger(HostKeyAdvertisement.class);

    private final ServedHostKeys keys;

    public HostKeyAdvertisement(ServedHostKeys keys) {
        this.keys = keys;
    }

    @Override
    public void sessionEvent(Session session, Event event) {
        if (event == Event.Authenticated && session instanceof ServerSession server) {
            server.getFactoryManager().getScheduledExecutorService().execute(() -> advertise(session));
        }
    }

    private void advertise(Session session) {
        List<PublicKey> servable = keys.advertised().stream()
                .filter(key -> HostKeyProofs.signatureAlgorithm(session, key).isPresent()).toList();
        if (servable.isEmpty() || !session.isOpen()) {
            return;
        }
        Buffer request = session.createBuffer(SshConstants.SSH_MSG_GLOBAL_REQUEST);
        request.putString(REQUEST);
        request.putBoolean(false);
        servable.forEach(request::putPublicKey);
        try {
            session.writePacket(request);
        } catch (IOException e) {
            log.debug("Could not advertise the host keys to {}: {}", session, e.toString());
        }
    }
}
