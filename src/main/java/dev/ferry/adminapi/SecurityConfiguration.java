package dev.ferry.adminapi;

import dev.ferry.admins.AdminAccounts;
import dev.ferry.admins.ApiTokens;
import dev.ferry.shared.PasswordHasher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.logout.HttpStatusReturningLogoutSuccessHandler;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.context.SecurityContextHolderFilter;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfException;
import org.springframework.security.web.csrf.CsrfFilter;
import org.springframework.security.web.csrf.CsrfTokenRequestAttributeHandler;
import org.springframework.security.web.savedrequest.NullRequestCache;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.firewall.RequestRejectedHandler;

/**
 * The admin API is closed by default: HTTP Basic with an admin account or a bearer API token
 * (scripts), or the admin UI's session cookie with a CSRF token ({@link AdminSessionController});
 * with single sign-on configured ({@link OidcSso}) also the provider's login and access tokens;
 * an admin with two-factor authentication logs in only through the UI ({@link SecondFactorBasicFilter});
 * AUDITORs read, ADMINs also write. Only health probes, the OpenAPI description and the admin UI's
 * static files are public. Failed password logins are throttled per address and account, with a higher
 * ceiling per address ({@link LoginThrottle}); API tokens are not throttled.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    @Bean
    SecurityFilterChain adminApi(HttpSecurity http, LoginThrottle throttle, ApiTokens tokens, AdminAccounts admins,
            CookieCsrfTokenRepository csrfTokens, OidcProperties oidc) throws Exception {
        // Plain objects, not beans: a Filter bean would also be registered for every request outside this chain.
        // Bearer tokens first: a valid one is never throttled, a bogus one is a plain 401 (tokens cannot be guessed);
        // with SSO on, other bearer tokens go on to the resource server's JWT check (OidcSso).
        // Then the throttle for Basic, and after Basic the marker that tells the throttle the password was right.
        AuthenticationEntryPoint unauthenticated = (request, response, e) ->
                // The admin UI marks its requests: a Basic challenge would make the browser show its own login dialog.
                writeProblem(response, HttpStatus.UNAUTHORIZED, "Unauthorized",
                        "authenticate with HTTP Basic (an admin account), a bearer token, or log in to the admin UI",
                        !fromAdminUi(request));
        if (oidc.enabled()) {
            new OidcSso(oidc).configure(http);
        }
        http.addFilterBefore(new BearerTokenFilter(tokens, oidc.enabled()), BearerTokenAuthenticationFilter.class)
                .addFilterAfter(new LoginThrottleFilter(throttle), BearerTokenFilter.class)
                .addFilterAfter(new LoginThrottleFilter.Checked(), BasicAuthenticationFilter.class)
                .addFilterAfter(new SecondFactorBasicFilter(), LoginThrottleFilter.Checked.class)
                .addFilterAfter(new AdminSessionRevalidationFilter(admins), SecurityContextHolderFilter.class)
                .addFilterAfter(new CsrfCookieFilter(), CsrfFilter.class);
        http.authorizeHttpRequests(auth -> auth
                        .requestMatchers("/actuator/health", "/actuator/health/**").permitAll()
                        .requestMatchers("/v3/api-docs", "/v3/api-docs/**").permitAll()
                        // the admin UI's login: anyone may try (throttled); every role may log out
                        .requestMatchers(HttpMethod.POST, AdminSessionController.PATH).permitAll()
                        .requestMatchers(HttpMethod.DELETE, AdminSessionController.PATH).permitAll()
                        // how to log in (password, single sign-on): the login page asks before anyone is logged in
                        .requestMatchers(HttpMethod.GET, AdminSessionController.OPTIONS_PATH).permitAll()
                        // a session that must first enrol a second factor sees who it is and enrols, nothing else
                        .requestMatchers(HttpMethod.GET, AdminSessionController.PATH)
                                .hasAnyAuthority("ROLE_ADMIN", "ROLE_AUDITOR", AdminSessionController.MFA_ENROLMENT)
                        .requestMatchers(AdminSessionController.PATH + "/mfa", AdminSessionController.PATH + "/mfa/**")
                                .hasAnyAuthority("ROLE_ADMIN", "ROLE_AUDITOR", AdminSessionController.MFA_ENROLMENT)
                        .requestMatchers(HttpMethod.GET, "/api/**").hasAnyRole("ADMIN", "AUDITOR")
                        .requestMatchers(HttpMethod.HEAD, "/api/**").hasAnyRole("ADMIN", "AUDITOR")
                        .requestMatchers("/api/**").hasRole("ADMIN")
                        .requestMatchers("/actuator/**").hasAnyRole("ADMIN", "AUDITOR")
                        .anyRequest().permitAll())
                .httpBasic(basic -> basic.realmName("ferry").authenticationEntryPoint(unauthenticated))
                // the one answer to a request without credentials, also when OAuth2 login would rather redirect
                .exceptionHandling(ex -> ex.authenticationEntryPoint(unauthenticated).accessDeniedHandler((request, response, e) -> {
                    if (e instanceof CsrfException) {
                        writeProblem(response, HttpStatus.FORBIDDEN, "CSRF token missing or invalid",
                                "a change made with the admin UI's session cookie must send the XSRF-TOKEN cookie's value in the "
                                        + "X-XSRF-TOKEN header: reload the admin UI (scripts use HTTP Basic or a bearer token instead)",
                                false);
                    } else {
                        writeProblem(response, HttpStatus.FORBIDDEN, "Forbidden",
                                "this account may only read: changes need the ADMIN role", false);
                    }
                }))
                // Scripts (Basic, bearer) stay stateless: no session is ever created for them. Only the admin UI's
                // login (POST /api/v1/session) creates one, and requests carrying its cookie use it.
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.NEVER))
                .requestCache(cache -> cache.requestCache(new NullRequestCache()))
                // Double-submit CSRF token for what the session cookie authenticates. Basic and bearer requests carry
                // their credentials in a header no other site can make a browser send, so they need no token.
                .csrf(csrf -> csrf.csrfTokenRepository(csrfTokens)
                        .csrfTokenRequestHandler(new CsrfTokenRequestAttributeHandler())
                        .requireCsrfProtectionMatcher(SecurityConfiguration::needsCsrfToken))
                .logout(logout -> logout
                        .logoutRequestMatcher(PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.DELETE, AdminSessionController.PATH))
                        .logoutSuccessHandler(new HttpStatusReturningLogoutSuccessHandler(HttpStatus.NO_CONTENT))
                        .deleteCookies(SESSION_COOKIE));
        return http.build();
    }

    /** The session cookie's name ({@code server.servlet.session.cookie.name} in application.properties). */
    static final String SESSION_COOKIE = "FERRY_SESSION";

    @Bean
    CookieCsrfTokenRepository csrfTokens() {
        // Readable by the admin UI's script (that is the point of a double-submit cookie); SameSite=Strict and
        // Secure over HTTPS like the session cookie.
        CookieCsrfTokenRepository repository = CookieCsrfTokenRepository.withHttpOnlyFalse();
        repository.setCookieCustomizer(cookie -> cookie.sameSite("Strict").path("/"));
        return repository;
    }

    /**
     * A change needs the token when a session cookie could authenticate it (the request names a session), and
     * for the UI's login itself (no login CSRF). Basic and bearer requests authenticate by their header, and a
     * request with neither a header nor a session is refused as unauthenticated (401), as before.
     */
    static boolean needsCsrfToken(HttpServletRequest request) {
        String method = request.getMethod();
        if ("GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method) || "TRACE".equals(method)) {
            return false;
        }
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization != null && (startsWithIgnoreCase(authorization, "Basic ") || startsWithIgnoreCase(authorization, "Bearer "))) {
            return false;
        }
        boolean uiLogin = "POST".equals(method) && AdminSessionController.PATH.equals(request.getRequestURI());
        return request.getRequestedSessionId() != null || uiLogin;
    }

    static boolean fromAdminUi(HttpServletRequest request) {
        return "XMLHttpRequest".equals(request.getHeader("X-Requested-With"));
    }

    private static boolean startsWithIgnoreCase(String s, String prefix) {
        return s.regionMatches(true, 0, prefix, 0, prefix.length());
    }

    /** URLs the firewall refuses (an encoded '%', a ';', ...) get a problem too, not Boot's error JSON. */
    @Bean
    RequestRejectedHandler requestRejected() {
        return (request, response, e) -> writeProblem(response, HttpStatus.BAD_REQUEST, "Bad request",
                "the URL contains characters that are not allowed here (such as an encoded % or a ;)", false);
    }

    @Bean
    UserDetailsService adminDetails(AdminAccounts admins) {
        return username -> admins.find(username)
                .map(admin -> User.withUsername(admin.username())
                        .password(admin.passwordHash())
                        .authorities(admin.secondFactor()
                                ? List.of(new SimpleGrantedAuthority("ROLE_" + admin.role().name()),
                                        new SimpleGrantedAuthority(SecondFactorBasicFilter.SECOND_FACTOR))
                                : List.of(new SimpleGrantedAuthority("ROLE_" + admin.role().name())))
                        .build())
                .orElseThrow(() -> new UsernameNotFoundException("no such admin"));
    }

    @Bean
    PasswordEncoder passwordEncoder(PasswordHasher hasher) {
        return new PasswordEncoder() {
            @Override
            public String encode(CharSequence raw) {
                return hasher.hash(raw);
            }

            @Override
            public boolean matches(CharSequence raw, String encoded) {
                return hasher.matches(raw, encoded);
            }
        };
    }

    private static void writeProblem(HttpServletResponse response, HttpStatus status, String title, String detail,
            boolean challenge) throws java.io.IOException {
        if (challenge) {
            response.setHeader("WWW-Authenticate", "Basic realm=\"ferry\"");
        }
        ProblemResponses.write(response, status, title, detail);
    }
}
