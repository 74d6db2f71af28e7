package dev.ferry.adminapi;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpStatus;

/** Problem details (RFC 9457) written by servlet filters, which run outside Spring MVC's advice. */
final class ProblemResponses {

    private ProblemResponses() {
    }

    /**
     * Writes the whole answer with its Content-Length, so that it is complete on the wire even when the
     * connection is closed right after it (a refused oversized body).
     */
    static void write(HttpServletResponse response, HttpStatus status, String title, String detail) throws IOException {
        String body = json(status, title, detail);
        response.setStatus(status.value());
        response.setContentType(MEDIA_TYPE);
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.setContentLength(body.getBytes(StandardCharsets.UTF_8).length);
        response.getWriter().write(body);
        response.flushBuffer();
    }

    static final String MEDIA_TYPE = "application/problem+json";

    static String json(HttpStatus status, String title, String detail) {
        return "{\"type\":\"about:blank\",\"title\":\"" + escape(title) + "\",\"status\":" + status.value()
                + ",\"detail\":\"" + escape(detail) + "\"}";
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
