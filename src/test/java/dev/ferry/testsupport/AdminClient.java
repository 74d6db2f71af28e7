package dev.ferry.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/** A plain HTTP client for the admin API, as a script would use it. */
public final class AdminClient {

    public record Response(int status, String body, java.net.http.HttpHeaders headers) {

        public JsonNode json() {
            return MAPPER.readTree(body);
        }

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    static final ObjectMapper MAPPER = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String base;
    private final String authorization;
    private final java.util.Map<String, String> headers;

    public AdminClient(String base, String username, String password) {
        this(base, username == null ? null
                : "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8)),
                java.util.Map.of());
    }

    private AdminClient(String base, String authorization, java.util.Map<String, String> headers) {
        this.base = base;
        this.authorization = authorization;
        this.headers = headers;
    }

    /** The same client authenticating with {@code Authorization: Bearer <token>}. */
    public AdminClient withBearer(String token) {
        return new AdminClient(base, "Bearer " + token, headers);
    }

    /** The same client sending one more header on every request (e.g. Origin, X-Forwarded-For). */
    public AdminClient withHeader(String name, String value) {
        java.util.Map<String, String> more = new java.util.LinkedHashMap<>(headers);
        more.put(name, value);
        return new AdminClient(base, authorization, java.util.Map.copyOf(more));
    }

    public AdminClient withoutCredentials() {
        return new AdminClient(base, null, headers);
    }

    public AdminClient as(String username, String password) {
        return new AdminClient(base, username, password).withHeaders(headers);
    }

    private AdminClient withHeaders(java.util.Map<String, String> extra) {
        return new AdminClient(base, authorization, extra);
    }

    public Response get(String path) {
        return send("GET", path, null);
    }

    public Response post(String path, String json) {
        return send("POST", path, json);
    }

    public Response put(String path, String json) {
        return send("PUT", path, json);
    }

    public Response delete(String path) {
        return send("DELETE", path, null);
    }

    public Response send(String method, String path, String json) {
        return send(method, path, json, "application/json, application/problem+json");
    }

    public Response send(String method, String path, String json, String accept) {
        return send(method, path, json == null ? null : HttpRequest.BodyPublishers.ofString(json), "application/json", accept);
    }

    /** A request whose body is these bytes of this content type, e.g. a file as application/octet-stream. */
    public Response sendBytes(String method, String path, byte[] body, String contentType) {
        return send(method, path, HttpRequest.BodyPublishers.ofByteArray(body), contentType, "application/json, application/problem+json");
    }

    private Response send(String method, String path, HttpRequest.BodyPublisher body, String contentType, String accept) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body)
                .header("Accept", accept);
        if (body != null) {
            request.header("Content-Type", contentType);
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body(), response.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** JSON string literal for building request bodies. */
    public static String quote(String s) {
        return MAPPER.writeValueAsString(s);
    }
}
