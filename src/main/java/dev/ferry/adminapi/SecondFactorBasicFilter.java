package dev.ferry.adminapi;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * HTTP Basic cannot carry a second factor, so an admin whose login needs one (two-factor
 * authentication on, or required) is refused on Basic even with the right password: 401 saying to
 * use the admin UI or an API token (which they create there). Runs right after Basic authentication;
 * the account's state comes with it ({@link #SECOND_FACTOR}, set by the admin lookup), no extra query.
 * A right password is still a right password to the {@link LoginThrottle}.
 */
class SecondFactorBasicFilter extends OncePerRequestFilter {

    /** Marks an admin account whose login needs a second factor (never a role: nothing is granted by it). */
    static final String SECOND_FACTOR = "SECOND_FACTOR";

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        if (auth != null && LoginThrottleFilter.basicUsername(request.getHeader(HttpHeaders.AUTHORIZATION)) != null
                && auth.getAuthorities().stream().anyMatch(a -> SECOND_FACTOR.equals(a.getAuthority()))) {
            SecurityContextHolder.clearContext();
            ProblemResponses.write(response, HttpStatus.UNAUTHORIZED, "Second factor required",
                    "admin '" + auth.getName() + "' uses two-factor authentication, which HTTP Basic cannot carry: log in to the "
                            + "admin UI, or use an API token (create one there under POST /api/v1/tokens)");
            return;
        }
        chain.doFilter(request, response);
    }
}
