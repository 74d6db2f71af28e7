package dev.ferry.adminapi;

import dev.ferry.admins.ApiTokens;
import dev.ferry.admins.TokenPrincipal;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * {@code Authorization: Bearer <token>} with an API token: the request runs with the token's role
 * and as {@code token:<id>} (the name ADMIN audit records carry). An unknown, expired or revoked
 * token gets 401 at once, whatever the path. With single sign-on on, bearer tokens without Ferry's
 * {@code ferry_} prefix are the provider's access tokens, left to Spring's resource server ({@link OidcSso}).
 */
class BearerTokenFilter extends OncePerRequestFilter {

    private static final String SCHEME = "Bearer";

    private final ApiTokens tokens;
    private final boolean jwtAccepted;
    private final SecurityContextHolderStrategy contexts = SecurityContextHolder.getContextHolderStrategy();

    /** @param jwtAccepted single sign-on is on: a bearer token that is not Ferry's goes on to the JWT check */
    BearerTokenFilter(ApiTokens tokens, boolean jwtAccepted) {
        this.tokens = tokens;
        this.jwtAccepted = jwtAccepted;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())
                || header.length() > SCHEME.length() && header.charAt(SCHEME.length()) != ' ') {
            chain.doFilter(request, response);
            return;
        }
        String bearer = header.substring(SCHEME.length()).strip();
        if (jwtAccepted && !bearer.startsWith(ApiTokens.PREFIX)) {
            chain.doFilter(request, response);
            return;
        }
        Optional<TokenPrincipal> principal = tokens.authenticate(bearer);
        if (principal.isEmpty()) {
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"ferry\", error=\"invalid_token\"");
            ProblemResponses.write(response, HttpStatus.UNAUTHORIZED, "Unauthorized",
                    "the bearer token is unknown, expired or revoked: create a new one with POST /api/v1/tokens");
            return;
        }
        TokenPrincipal token = principal.get();
        SecurityContext context = contexts.createEmptyContext();
        context.setAuthentication(UsernamePasswordAuthenticationToken.authenticated(token.principalName(), null,
                List.of(new SimpleGrantedAuthority("ROLE_" + token.role().name()))));
        contexts.setContext(context);
        try {
            chain.doFilter(request, response);
        } finally {
            contexts.clearContext();
        }
    }
}
