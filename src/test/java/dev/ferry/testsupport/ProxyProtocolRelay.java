package dev.ferry.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;

/**
 * A minimal TCP load balancer for tests: accepts on a local port, connects to the target and
 * sends a PROXY protocol v2 header claiming a chosen client address before relaying bytes both
 * ways, as AWS NLB or HAProxy with {@code send-proxy-v2} do.
 */
public final class ProxyProtocolRelay implements AutoCloseable {

    private static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    private final ServerSocket server;
    private final int targetPort;
    private final InetAddress claimedClient;
    private final Thread acceptor;

    public ProxyProtocolRelay(int targetPort, String claimedClient) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.targetPort = targetPort;
        this.claimedClient = InetAddress.getByName(claimedClient);
        this.acceptor = new Thread(this::acceptLoop, "proxy-relay-" + claimedClient);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                upstream.getOutputStream().write(header(client));
                SocketPipe.start(client, upstream, SocketPipe::closeQuietly, "proxy-relay-pump");
                SocketPipe.start(upstream, client, SocketPipe::closeQuietly, "proxy-relay-pump");
            } catch (IOException e) {
                if (server.isClosed()) {
                    return;
                }
            }
        }
    }

    private byte[] header(Socket client) {
        byte[] source = claimedClient.getAddress();
        boolean v4 = source.length == 4;
        byte[] destination = v4 ? new byte[] {127, 0, 0, 1} : InetAddress.getLoopbackAddress().getAddress();
        int length = v4 ? 12 : 36;
        ByteBuffer b = ByteBuffer.allocate(16 + length);
        b.put(SIGNATURE).put((byte) 0x21).put((byte) (v4 ? 0x11 : 0x21)).putShort((short) length);
        b.put(source);
        b.put(v4 ? destination : new byte[16]);
        b.putShort((short) client.getPort()).putShort((short) targetPort);
        return b.array();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
