package dev.ferry.adminapi;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Applies {@link LoginThrottle} in the security filter chain, before Basic and bearer
 * authentication: a refused address gets 429 without its credentials being checked (so a
 * guess during a refusal learns nothing and costs no argon2 hash); a request with credentials
 * that ends in 401 counts as a failure. The admin UI's login ({@code POST /api/v1/session}) carries
 * its credentials in the body and is treated the same. Requests without credentials are neither
 * refused nor counted: they guess nothing.
 */
class LoginThrottleFilter extends OncePerRequestFilter {

    private final LoginThrottle throttle;

    LoginThrottleFilter(LoginThrottle throttle) {
        this.throttle = throttle;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        boolean uiLogin = "POST".equals(request.getMethod()) && AdminSessionController.PATH.equals(request.getRequestURI());
        if ((authorization == null || authorization.isBlank()) && !uiLogin) {
            chain.doFilter(request, response);
            return;
        }
        String address = request.getRemoteAddr();
        Duration left = throttle.blockedFor(address);
        if (!left.isZero()) {
            long seconds = Math.max(1, (left.toMillis() + 999) / 1000);
            response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
            ProblemResponses.write(response, HttpStatus.TOO_MANY_REQUESTS, "Too many failed logins",
                    "too many failed logins from your address: try again in " + seconds + " seconds");
            return;
        }
        chain.doFilter(request, response);
        if (response.getStatus() == HttpStatus.UNAUTHORIZED.value()) {
            throttle.failed(address);
        }
    }
}
