package dev.ferry.adminapi;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * No cross-origin access: Ferry never sends Access-Control-Allow-Origin, and a request whose
 * {@code Origin} names another host (a CORS preflight or a plain request) gets 403 before it
 * reaches authentication. This also stops cross-site requests riding on Basic credentials a
 * browser has cached for the admin UI. Scripts and curl send no Origin and are unaffected.
 * <p>
 * Only the host is compared with the request's Host: behind a TLS-terminating proxy the scheme
 * and port this server sees differ from the browser's, while the host name is kept.
 */
class CrossOriginFilter extends OncePerRequestFilter {

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        if (origin == null || sameHost(origin, request.getServerName())) {
            chain.doFilter(request, response);
            return;
        }
        boolean preflight = "OPTIONS".equals(request.getMethod()) && request.getHeader(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD) != null;
        ProblemResponses.write(response, HttpStatus.FORBIDDEN, "Cross-origin request refused",
                (preflight ? "cross-origin (CORS) requests are not allowed" : "requests from another origin are not allowed")
                        + ": use the admin UI served by this server, or call the API from a script (without an Origin header)");
    }

    static boolean sameHost(String origin, String serverName) {
        try {
            String host = new URI(origin.strip()).getHost();
            if (host == null || serverName == null) {
                return false; // "null" (sandboxed frames, file:) and anything unparsable
            }
            return strip(host).equalsIgnoreCase(strip(serverName));
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static String strip(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }
}
