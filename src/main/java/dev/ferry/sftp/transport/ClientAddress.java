package dev.ferry.sftp.transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.server.session.ServerSession;

/**
 * The address of the client behind a connection: the one a trusted load balancer's PROXY
 * protocol header gave ({@link ProxyProtocolAcceptor}), else the socket's peer. Bans, allowed IPs,
 * limits and the audit all ask here, so they all see the same client.
 */
public final class ClientAddress {

    /** The client's address as a PROXY-protocol header from a trusted load balancer gave it. */
    static final AttributeKey<InetSocketAddress> PROXIED_CLIENT = new AttributeKey<>();

    private ClientAddress() {
    }

    /** The client's address, or null when the transport has none (not an IP socket). */
    public static InetAddress of(ServerSession session) {
        InetSocketAddress proxied = session.getAttribute(PROXIED_CLIENT);
        if (proxied != null) {
            return proxied.getAddress();
        }
        SocketAddress remote = session.getClientAddress();
        return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }

    /** The client's address as text, or {@code unknown}. */
    public static String text(ServerSession session) {
        InetAddress address = of(session);
        return address == null ? "unknown" : address.getHostAddress();
    }
}
