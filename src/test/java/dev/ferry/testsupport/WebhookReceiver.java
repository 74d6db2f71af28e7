package dev.ferry.testsupport;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A webhook receiver on 127.0.0.1 over a plain socket (HTTP/1.1 with Content-Length and keep-alive),
 * so a test can make it misbehave the ways real receivers do: answer an error, answer after the
 * sender's timeout, or reset the connection (RST, no answer). Every request is recorded with the
 * answer it got. Per URL path, a script of answers is used up in order; after it, 200.
 */
public final class WebhookReceiver implements AutoCloseable {

    /** What the receiver does with one request. */
    public sealed interface Answer {
    }

    public record Status(int code) implements Answer {
    }

    /** Answers 200 after the delay (a sender with a shorter timeout has given up by then). */
    public record Slow(Duration delay) implements Answer {
    }

    /** Closes the connection with a TCP reset instead of answering. */
    public record Reset() implements Answer {
    }

    /** One request as received, and what it got. */
    public record Request(String path, Map<String, String> headers, String body, Answer answer) {

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** Answered 2xx in time: the sender counts it as delivered. */
        public boolean accepted() {
            return answer instanceof Status s && s.code() / 100 == 2;
        }
    }

    private final ServerSocket server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Deque<Answer>> scripts = new ConcurrentHashMap<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private WebhookReceiver(ServerSocket server) {
        this.server = server;
        Thread accept = new Thread(this::accept, "webhook-receiver-" + server.getLocalPort());
        accept.setDaemon(true);
        accept.start();
    }

    public static WebhookReceiver start() throws IOException {
        return start(0);
    }

    /** On a given port (0: any free one), e.g. to come back where a stopped receiver was. */
    public static WebhookReceiver start(int port) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return new WebhookReceiver(server);
    }

    public int port() {
        return server.getLocalPort();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    /** The next requests to this URL path get these answers, in order; then 200 again. */
    public void script(String path, Answer... answers) {
        scripts.computeIfAbsent(path, p -> new ConcurrentLinkedDeque<>()).addAll(List.of(answers));
    }

    /** Forgets what is still scripted for this URL path: 200 from now on. */
    public void clearScript(String path) {
        scripts.remove(path);
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public List<Request> requests(Predicate<Request> which) {
        return requests.stream().filter(which).toList();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket socket = server.accept();
                open.add(socket);
                Thread t = new Thread(() -> serve(socket), "webhook-receiver-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (true) {
                String requestLine = line(in);
                if (requestLine == null || requestLine.isEmpty()) {
                    return;
                }
                Map<String, String> headers = new TreeMap<>();
                for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
                    int colon = header.indexOf(':');
                    headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
                }
                int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
                String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
                String path = requestLine.split(" ")[1];
                Deque<Answer> script = scripts.get(path);
                Answer answer = script == null ? null : script.poll();
                if (answer == null) {
                    answer = new Status(200);
                }
                requests.add(new Request(path, Map.copyOf(headers), body, answer));
                if (answer instanceof Reset) {
                    socket.setSoLinger(true, 0);
                    return;
                } else if (answer instanceof Slow slow) {
                    Thread.sleep(slow.delay().toMillis());
                    respond(out, 200);
                } else {
                    respond(out, ((Status) answer).code());
                }
            }
        } catch (IOException | InterruptedException e) {
            // the sender gave up or the receiver is closing
        } finally {
            open.remove(socket);
        }
    }

    private static void respond(OutputStream out, int code) throws IOException {
        byte[] body = ("{\"answer\":" + code + "}").getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 " + code + " X\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                String s = line.toString(StandardCharsets.US_ASCII);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.US_ASCII);
    }

    /** Stops listening and drops every connection: the receiver is down. */
    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket socket : open) {
            socket.close();
        }
    }
}
