package dev.ferry.sftp.transport;

import dev.ferry.access.IpAllowList;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.server.session.ServerProxyAcceptor;
import org.apache.sshd.server.session.ServerSession;

/**
 * Reads the PROXY protocol header (v1 text or v2 binary) that a TCP load balancer (AWS NLB,
 * HAProxy) puts before the SSH stream, so bans, allowed IPs and the audit see the real client.
 * Only connections from the configured load-balancer addresses may carry one, and from those a
 * header is required; anyone else's connection is read as plain SSH, so a client cannot forge
 * its address.
 * <p>
 * Ours rather than MINA's {@code sshd-contrib} {@code ProxyProtocolAcceptor} /
 * {@code ProxyProtocolV2Acceptor}: those accept a header from every peer, so any client could
 * claim any address and walk past bans and allow-lists; they have no notion of trusted proxies,
 * nor of a header being required from them.
 */
public final class ProxyProtocolAcceptor implements ServerProxyAcceptor {

    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final byte[] V1_PREFIX = "PROXY ".getBytes(StandardCharsets.US_ASCII);
    private static final int V1_MAX_LENGTH = 107;
    /**
     * Length of the header already read. MINA rewinds its buffer to the start of the stream until
     * the client's identification line has fully arrived, so the header is skipped again then.
     */
    private static final AttributeKey<Integer> HEADER_LENGTH = new AttributeKey<>();

    private final IpAllowList trustedProxies;

    public ProxyProtocolAcceptor(IpAllowList trustedProxies) {
        this.trustedProxies = trustedProxies;
    }

    @Override
    public boolean acceptServerProxyMetadata(ServerSession session, Buffer buffer) throws Exception {
        Integer consumed = session.getAttribute(HEADER_LENGTH);
        if (consumed != null) {
            buffer.rpos(buffer.rpos() + consumed);
            return true;
        }
        SocketAddress peer = session.getIoSession().getRemoteAddress();
        if (!(peer instanceof InetSocketAddress inet) || trustedProxies.isEmpty() || !trustedProxies.allows(inet.getAddress())) {
            session.setAttribute(HEADER_LENGTH, 0);
            return true;
        }
        int start = buffer.rpos();
        byte[] available = new byte[Math.min(buffer.available(), 16 + 216)];
        System.arraycopy(buffer.array(), start, available, 0, available.length);
        if (hasPrefix(available, V2_SIGNATURE)) {
            if (available.length < 16) {
                return false;
            }
            int length = ((available[14] & 0xff) << 8) | (available[15] & 0xff);
            if (buffer.available() < 16 + length) {
                return false;
            }
            byte[] header = new byte[16 + length];
            System.arraycopy(buffer.array(), start, header, 0, header.length);
            parseV2(session, header);
            buffer.rpos(start + header.length);
        } else if (hasPrefix(available, V1_PREFIX)) {
            int end = indexOfCrLf(available);
            if (end < 0) {
                if (available.length >= V1_MAX_LENGTH) {
                    throw new SshException("PROXY protocol v1 header too long");
                }
                return false;
            }
            parseV1(session, new String(available, 0, end, StandardCharsets.US_ASCII));
            buffer.rpos(start + end + 2);
        } else if (couldBePrefix(available, V2_SIGNATURE) || couldBePrefix(available, V1_PREFIX)) {
            return false; // a header may still be arriving
        } else {
            throw new SshException("a connection from the load balancer " + inet.getAddress().getHostAddress()
                    + " must start with a PROXY protocol header");
        }
        session.setAttribute(HEADER_LENGTH, buffer.rpos() - start);
        return true;
    }

    private static void parseV1(ServerSession session, String line) throws SshException {
        String[] parts = line.split(" ");
        if (parts.length >= 2 && parts[1].equals("UNKNOWN")) {
            return; // the balancer does not know the client (e.g. a health check): keep the peer address
        }
        if (parts.length != 6 || !(parts[1].equals("TCP4") || parts[1].equals("TCP6"))) {
            throw new SshException("malformed PROXY protocol v1 header");
        }
        try {
            InetAddress source = literal(parts[2]);
            int port = Integer.parseInt(parts[4]);
            if (port < 0 || port > 65535) {
                throw new SshException("malformed PROXY protocol v1 port");
            }
            session.setAttribute(ClientAddress.PROXIED_CLIENT, new InetSocketAddress(source, port));
        } catch (NumberFormatException | UnknownHostException e) {
            throw new SshException("malformed PROXY protocol v1 address");
        }
    }

    private static void parseV2(ServerSession session, byte[] header) throws SshException {
        int versionCommand = header[12] & 0xff;
        if ((versionCommand >> 4) != 2) {
            throw new SshException("unsupported PROXY protocol version");
        }
        if ((versionCommand & 0x0f) == 0) {
            return; // LOCAL: a health check of the balancer itself
        }
        int family = (header[13] & 0xff) >> 4;
        try {
            if (family == 1 && header.length >= 16 + 12) {
                byte[] source = java.util.Arrays.copyOfRange(header, 16, 20);
                int port = ((header[24] & 0xff) << 8) | (header[25] & 0xff);
                session.setAttribute(ClientAddress.PROXIED_CLIENT, new InetSocketAddress(InetAddress.getByAddress(source), port));
            } else if (family == 2 && header.length >= 16 + 36) {
                byte[] source = java.util.Arrays.copyOfRange(header, 16, 32);
                int port = ((header[48] & 0xff) << 8) | (header[49] & 0xff);
                session.setAttribute(ClientAddress.PROXIED_CLIENT, new InetSocketAddress(InetAddress.getByAddress(source), port));
            } else if (family != 0) {
                throw new SshException("unsupported PROXY protocol v2 address family");
            }
        } catch (UnknownHostException e) {
            throw new SshException("malformed PROXY protocol v2 address");
        }
    }

    /** Parses an IP literal without ever looking up a name. */
    private static InetAddress literal(String text) throws UnknownHostException {
        if (!text.matches("[0-9A-Fa-f:.]+") || text.isEmpty()) {
            throw new UnknownHostException("not an address");
        }
        return InetAddress.getByName(text);
    }

    private static boolean hasPrefix(byte[] data, byte[] prefix) {
        return data.length >= prefix.length && java.util.Arrays.equals(data, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** Whether the bytes so far are the start of {@code prefix} (more may be on the way). */
    private static boolean couldBePrefix(byte[] data, byte[] prefix) {
        return data.length < prefix.length && java.util.Arrays.equals(data, 0, data.length, prefix, 0, data.length);
    }

    private static int indexOfCrLf(byte[] data) {
        for (int i = 0; i + 1 < data.length && i < V1_MAX_LENGTH; i++) {
            if (data[i] == '\r' && data[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
