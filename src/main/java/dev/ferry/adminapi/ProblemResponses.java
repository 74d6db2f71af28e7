package dev.ferry.adminapi;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.json.ProblemDetailJacksonMixin;
import tools.jackson.databind.json.JsonMapper;

/**
 * Problem details (RFC 9457) written where Spring MVC's message converters do not run: servlet filters,
 * and Tomcat's error valve ({@link ContainerErrorPages}). The body is Spring's {@link ProblemDetail}
 * serialized by Jackson with the mixin MVC's converter uses, so it has the shape of every other
 * refusal of the API.
 */
final class ProblemResponses {

    static final String MEDIA_TYPE = MediaType.APPLICATION_PROBLEM_JSON_VALUE;
    private static final JsonMapper JSON = JsonMapper.builder().addMixIn(ProblemDetail.class, ProblemDetailJacksonMixin.class).build();

    private ProblemResponses() {
    }

    /**
     * Writes the whole answer with its Content-Length, so that it is complete on the wire even when the
     * connection is closed right after it (a refused oversized body).
     */
    static void write(HttpServletResponse response, HttpStatus status, String title, String detail) throws IOException {
        byte[] body = json(status, title, detail);
        response.setStatus(status.value());
        response.setContentType(MEDIA_TYPE);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        response.flushBuffer();
    }

    /** {@code type}, {@code title}, {@code status} and {@code detail} as UTF-8 JSON. */
    static byte[] json(HttpStatusCode status, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        return JSON.writeValueAsBytes(problem);
    }
}
