package dev.ferry.adminapi;

import dev.ferry.admins.AdminAccounts;
import dev.ferry.admins.AdminCredentials;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.util.Optional;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * A session cookie must not outlive what it was granted on: on every request it authenticates,
 * the admin account is looked up again (one indexed query), and the session ends when the account
 * was deleted, its role changed or its password was changed. The request then continues
 * unauthenticated (401). HTTP Basic and bearer requests are not touched.
 */
class AdminSessionRevalidationFilter extends OncePerRequestFilter {

    private final AdminAccounts admins;

    AdminSessionRevalidationFilter(AdminAccounts admins) {
        this.admins = admins;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        if (auth != null && auth.getDetails() instanceof AdminSessionDetails granted) {
            Optional<AdminCredentials> current = admins.find(auth.getName());
            if (current.isEmpty() || !granted.stillGrantedBy(current.get())) {
                HttpSession session = request.getSession(false);
                if (session != null) {
                    session.invalidate();
                }
                SecurityContextHolder.clearContext();
            }
        }
        chain.doFilter(request, response);
    }
}
