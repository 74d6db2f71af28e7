package dev.ferry.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay in front of a real S3 server that can misbehave on request: answer the next
 * connections' requests with 503 SlowDown (S3's throttling), or cut every open connection (a
 * network failure). Otherwise it passes bytes through untouched.
 */
public final class FaultInjectingProxy implements AutoCloseable {

    private static final byte[] SLOW_DOWN_BODY = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code>"
            + "<Message>Please reduce your request rate.</Message><RequestId>fault-proxy</RequestId></Error>")
            .getBytes(StandardCharsets.UTF_8);

    private final ServerSocket server;
    private final int upstreamPort;
    private final AtomicInteger throttle = new AtomicInteger();
    private final AtomicInteger throttled = new AtomicInteger();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    public FaultInjectingProxy(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "fault-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** The next {@code connections} requests (each on a new connection) get 503 SlowDown. */
    public void throttleNext(int connections) {
        throttle.set(connections);
        cutConnections();
    }

    public int throttledSoFar() {
        return throttled.get();
    }

    /** Closes every connection passing through, as a network failure would. */
    public void cutConnections() {
        for (Socket socket : open) {
            closeQuietly(socket);
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread handler = new Thread(() -> handle(client), "fault-proxy-conn");
                handler.setDaemon(true);
                handler.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void handle(Socket client) {
        open.add(client);
        try {
            if (throttle.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throttled.incrementAndGet();
                readRequestHead(client.getInputStream());
                OutputStream out = client.getOutputStream();
                out.write(("HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: " + SLOW_DOWN_BODY.length
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(SLOW_DOWN_BODY);
                out.flush();
                // Half-close and read what the client still sends (a body, its own close) before closing:
                // closing with unread bytes would reset the connection and lose the answer.
                client.shutdownOutput();
                client.setSoTimeout(2000);
                client.getInputStream().transferTo(OutputStream.nullOutputStream());
                closeQuietly(client);
                return;
            }
            Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
            open.add(upstream);
            SocketPipe.start(upstream, client, this::closeQuietly, "fault-proxy-back");
            SocketPipe.start(client, upstream, this::closeQuietly, "fault-proxy-forth");
        } catch (IOException ignored) {
            closeQuietly(client); // the connection ends
        }
    }

    private static void readRequestHead(InputStream in) throws IOException {
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        int b;
        while (matched < 4 && (b = in.read()) >= 0) {
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
    }

    private void closeQuietly(Socket socket) {
        open.remove(socket);
        SocketPipe.closeQuietly(socket);
    }

    @Override
    public void close() throws IOException {
        server.close();
        cutConnections();
    }
}
