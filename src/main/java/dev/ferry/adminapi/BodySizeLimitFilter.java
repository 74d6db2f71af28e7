package dev.ferry.adminapi;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Request bodies larger than {@code sftp.admin-api.max-body-size} get 413 problem+json: at once
 * when Content-Length announces it, otherwise (chunked) as soon as the count passes the limit
 * while the body is read (then {@link ProblemDetailsAdvice} answers). Tomcat's own limits cover
 * forms and swallowed bodies, not JSON. Nothing is buffered here: a body is read only by the
 * endpoint that wants it, after authentication.
 */
class BodySizeLimitFilter extends OncePerRequestFilter {

    private final long maxBytes;

    BodySizeLimitFilter(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long length = request.getContentLengthLong();
        if (length > maxBytes) {
            tooLarge(response);
            return;
        }
        HttpServletRequest limited = length >= 0 ? request : new LimitedRequest(request, maxBytes);
        try {
            chain.doFilter(limited, response);
        } catch (ServletException | IOException | RuntimeException e) {
            if (exceededLimit(e) != null && !response.isCommitted()) {
                response.reset();
                tooLarge(response);
                return;
            }
            throw e;
        }
    }

    private void tooLarge(HttpServletResponse response) throws IOException {
        // Complete with its Content-Length; Tomcat then reads and discards the rest of the body, up to
        // server.tomcat.max-swallow-size, so that a client still writing it can read the answer, and closes.
        ProblemResponses.write(response, HttpStatus.CONTENT_TOO_LARGE, TITLE, detail(maxBytes));
    }

    static final String TITLE = "Request body too large";

    static String detail(long maxBytes) {
        return "the request body is larger than " + maxBytes + " bytes, the limit of this API: send less per request";
    }

    /** The limit a body went past while it was read, or null when the failure was something else. */
    static Long exceededLimit(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof BodyTooLargeException tooLarge) {
                return tooLarge.maxBytes;
            }
        }
        return null;
    }

    /** Thrown by the body stream once more than the limit has been read. */
    static final class BodyTooLargeException extends IOException {
        final long maxBytes;

        BodyTooLargeException(long maxBytes) {
            super("request body larger than " + maxBytes + " bytes");
            this.maxBytes = maxBytes;
        }
    }

    private static final class LimitedRequest extends HttpServletRequestWrapper {

        private final long maxBytes;
        private ServletInputStream stream;

        LimitedRequest(HttpServletRequest request, long maxBytes) {
            super(request);
            this.maxBytes = maxBytes;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                stream = new LimitedStream(super.getInputStream(), maxBytes);
            }
            return stream;
        }

        @Override
        public BufferedReader getReader() throws IOException {
            String encoding = getCharacterEncoding();
            Charset charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
            return new BufferedReader(new InputStreamReader(getInputStream(), charset));
        }
    }

    private static final class LimitedStream extends ServletInputStream {

        private final ServletInputStream in;
        private final long maxBytes;
        private long count;

        LimitedStream(ServletInputStream in, long maxBytes) {
            this.in = in;
            this.maxBytes = maxBytes;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) throws IOException {
            count += n;
            if (count > maxBytes) {
                throw new BodyTooLargeException(maxBytes);
            }
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }
    }
}
