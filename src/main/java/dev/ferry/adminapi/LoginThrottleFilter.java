package dev.ferry.adminapi;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Applies {@link LoginThrottle} to HTTP Basic logins, just before Spring Security checks them: a
 * refused account (or address) gets 429 without its password being checked (a guess during a
 * refusal learns nothing and costs no argon2 hash). Whether the password was right is told by
 * {@link Checked}, which runs right after Basic authentication and is reached only when it
 * succeeded: then the account's count is cleared, otherwise a 401 counts as a failure. Requests
 * without a Basic header (bearer tokens, the admin UI's session) are not looked at; the UI's
 * login applies the throttle itself ({@link AdminSessionController}).
 */
class LoginThrottleFilter extends OncePerRequestFilter {

    private static final String CHECKED = LoginThrottleFilter.class.getName() + ".CHECKED";

    private final LoginThrottle throttle;

    LoginThrottleFilter(LoginThrottle throttle) {
        this.throttle = throttle;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String account = basicUsername(request.getHeader(HttpHeaders.AUTHORIZATION));
        if (account == null) {
            chain.doFilter(request, response);
            return;
        }
        String address = request.getRemoteAddr();
        Optional<LoginThrottle.Refusal> refusal = throttle.refusal(address, account);
        if (refusal.isPresent()) {
            refuse(response, refusal.get());
            return;
        }
        chain.doFilter(request, response);
        if (request.getAttribute(CHECKED) != null) {
            throttle.succeeded(address, account);
        } else if (response.getStatus() == HttpStatus.UNAUTHORIZED.value()) {
            throttle.failed(address, account);
        }
    }

    /** 429 problem details with Retry-After, for Basic and the admin UI's login alike. */
    static void refuse(HttpServletResponse response, LoginThrottle.Refusal refusal) throws IOException {
        long seconds = retryAfterSeconds(refusal);
        response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
        ProblemResponses.write(response, HttpStatus.TOO_MANY_REQUESTS, "Too many failed logins", detail(refusal, seconds));
    }

    static long retryAfterSeconds(LoginThrottle.Refusal refusal) {
        return Math.max(1, (refusal.retryAfter().toMillis() + 999) / 1000);
    }

    static String detail(LoginThrottle.Refusal refusal, long seconds) {
        return (refusal.wholeAddress() ? "too many failed logins from your address, over several accounts"
                : "too many failed logins for this account from your address") + ": try again in " + seconds
                + " seconds (API tokens are not affected)";
    }

    /** The user name of an {@code Authorization: Basic} header, or null when there is none or it cannot be read. */
    static String basicUsername(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String credentials = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
            int colon = credentials.indexOf(':');
            return colon < 0 ? null : credentials.substring(0, colon);
        } catch (IllegalArgumentException e) {
            return null; // Spring Security answers 401 without checking anything: nothing was guessed
        }
    }

    /** Runs after Basic authentication, which calls it only for a correct password (or a request without Basic). */
    static final class Checked extends OncePerRequestFilter {
        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            request.setAttribute(CHECKED, Boolean.TRUE);
            chain.doFilter(request, response);
        }
    }
}
