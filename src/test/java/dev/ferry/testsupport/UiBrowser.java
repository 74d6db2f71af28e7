package dev.ferry.testsupport;

import dev.ferry.testsupport.AdminClient.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The admin API as the admin UI's browser uses it: keeps cookies (the session, XSRF-TOKEN), marks
 * its requests as the UI does, sends the CSRF header when asked to, optionally from an address of
 * its own (X-Forwarded-For, for instances that trust it).
 */
public final class UiBrowser {

    private final String base;
    private final CookieManager cookies = new CookieManager();
    private final HttpClient http = HttpClient.newBuilder().cookieHandler(cookies).build();
    /** Sent with every request; a case may add, change or remove one (a forged token, an Origin, ...). */
    public final Map<String, String> headers = new LinkedHashMap<>(Map.of("X-Requested-With", "XMLHttpRequest"));

    public UiBrowser(FerryInstance instance) {
        this.base = instance.apiBase();
    }

    public UiBrowser from(String address) {
        headers.put("X-Forwarded-For", address);
        return this;
    }

    /** Sends with the CSRF header (when the cookie is there). */
    public Response send(String method, String path, String json) {
        return send(method, path, json, true);
    }

    public Response send(String method, String path, String json, boolean csrf) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                .header("Accept", "application/json");
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        String token = cookie("XSRF-TOKEN");
        if (csrf && token != null) {
            request.header("X-XSRF-TOKEN", token);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body(), response.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Response login(String username, String password) {
        return login(username, password, null);
    }

    /** Logs in as the login page does (GET for the XSRF-TOKEN cookie, then POST), with a second-factor code or null. */
    public Response login(String username, String password, String code) {
        send("GET", "/api/v1/session", null, false); // 401, and the XSRF-TOKEN cookie
        return send("POST", "/api/v1/session", "{\"username\":" + AdminClient.quote(username) + ",\"password\":"
                + AdminClient.quote(password) + (code == null ? "" : ",\"code\":" + AdminClient.quote(code)) + "}", true);
    }

    public String cookie(String name) {
        return cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals(name))
                .map(HttpCookie::getValue).findFirst().orElse(null);
    }
}
