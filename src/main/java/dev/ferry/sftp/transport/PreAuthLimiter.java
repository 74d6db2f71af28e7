package dev.ferry.sftp.transport;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps connections that have not authenticated yet, overall and per source address, so a flood
 * of idle or slow handshakes cannot exhaust the server; authenticated sessions do not count.
 */
public final class PreAuthLimiter implements SessionListener {

    private static final Logger log = LoggerFactory.getLogger(PreAuthLimiter.class);
    private static final AttributeKey<InetAddress> COUNTED_AS = new AttributeKey<>();
    private static final AttributeKey<Boolean> COUNTED = new AttributeKey<>();

    private final int maxTotal;
    private final int maxPerAddress;
    private final AtomicInteger total = new AtomicInteger();
    private final Map<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();

    public PreAuthLimiter(int maxTotal, int maxPerAddress) {
        this.maxTotal = maxTotal;
        this.maxPerAddress = maxPerAddress;
    }

    /** Every new connection counts against the total at once, before it sends anything. */
    @Override
    public void sessionCreated(Session session) {
        session.setAttribute(COUNTED, Boolean.TRUE);
        int all = total.incrementAndGet();
        if (all > maxTotal) {
            log.warn("Refusing a connection: {} unauthenticated connections are open", all - 1);
            session.close(true);
        }
    }

    /** Per address once the address is known: after a PROXY header, when the client's identification arrives. */
    @Override
    public void sessionPeerIdentificationReceived(Session session, String version, java.util.List<String> extraLines) {
        if (!(session instanceof ServerSession server)) {
            return;
        }
        InetAddress address = ClientAddress.of(server);
        if (address == null) {
            return;
        }
        int mine = perAddress.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
        session.setAttribute(COUNTED_AS, address);
        if (mine > maxPerAddress) {
            log.warn("Refusing a connection from {}: {} unauthenticated connections from this address",
                    address.getHostAddress(), mine - 1);
            session.close(true);
        }
    }

    @Override
    public void sessionEvent(Session session, Event event) {
        if (event == Event.Authenticated) {
            release(session);
        }
    }

    @Override
    public void sessionClosed(Session session) {
        release(session);
    }

    private void release(Session session) {
        if (session.removeAttribute(COUNTED) != null) {
            total.decrementAndGet();
        }
        InetAddress address = session.removeAttribute(COUNTED_AS);
        if (address == null) {
            return;
        }
        perAddress.computeIfPresent(address, (a, count) -> count.decrementAndGet() <= 0 ? null : count);
    }
}
