package dev.ferry.adminapi;

import dev.ferry.shared.InvalidInputException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.util.List;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.csrf.CsrfTokenRepository;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v1/session}: the admin UI's login. POST with an admin's name and password starts a
 * server-side session (HttpOnly, SameSite=Strict cookie, Secure over HTTPS) and issues a new CSRF
 * token; GET says who the caller is (whichever way they authenticated); DELETE logs out (handled by
 * Spring Security's logout filter). Scripts keep using HTTP Basic or bearer tokens. GET /options
 * tells the login page whether single sign-on is offered ({@link OidcSso} does the login itself).
 */
@RestController
@RequestMapping(AdminSessionController.PATH)
@Tag(name = "session", description = "The admin UI's login session")
class AdminSessionController {

    static final String PATH = "/api/v1/session";
    static final String OPTIONS_PATH = PATH + "/options";

    /** How the login page may log in: always a password; single sign-on when configured. */
    record LoginOptions(boolean password, SingleSignOn sso) {
    }

    /** @param loginUrl where the browser goes to sign in with the provider (Spring Security's OAuth2 login) */
    record SingleSignOn(String provider, String loginUrl) {
    }

    /** Who is logged in, with the role that decides what the UI offers. */
    record Caller(String username, String role, String authenticatedBy) {
    }

    record Login(String username, String password) {

        @Override
        public String toString() {
            return "Login[username=" + username + "]";
        }
    }

    private final AuthenticationManager authentication;
    private final SecurityContextRepository contexts = new HttpSessionSecurityContextRepository();
    private final CsrfTokenRepository csrfTokens;
    private final LoginThrottle throttle;
    private final OidcProperties oidc;

    AdminSessionController(UserDetailsService admins, PasswordEncoder passwords, CsrfTokenRepository csrfTokens,
            LoginThrottle throttle, OidcProperties oidc) {
        // The same lookup and password check as HTTP Basic (an unknown name costs the same hash as a known one).
        DaoAuthenticationProvider provider = new DaoAuthenticationProvider(admins);
        provider.setPasswordEncoder(passwords);
        this.authentication = provider::authenticate;
        this.csrfTokens = csrfTokens;
        this.throttle = throttle;
        this.oidc = oidc;
    }

    @GetMapping("/options")
    @Operation(summary = "How to log in to the admin UI: password, and single sign-on with an OpenID provider when configured "
            + "(no authentication needed)")
    LoginOptions options() {
        return new LoginOptions(true, oidc.enabled()
                ? new SingleSignOn(oidc.providerName(), "/oauth2/authorization/" + OidcProperties.REGISTRATION) : null);
    }

    @GetMapping
    @Operation(summary = "Who the caller is and their role (ADMIN or AUDITOR)")
    Caller whoAmI(Authentication auth) {
        String by = auth.getDetails() instanceof AdminSessionDetails ? "session"
                : auth instanceof OAuth2AuthenticationToken ? "sso"
                : auth instanceof JwtAuthenticationToken ? "access-token"
                : auth.getName().startsWith("token:") ? "token" : "basic";
        return caller(auth, by);
    }

    @PostMapping
    @Operation(summary = "Log in to the admin UI: starts a session cookie and issues a CSRF token (XSRF-TOKEN cookie)")
    ResponseEntity<?> login(@RequestBody(required = false) Login login, HttpServletRequest request, HttpServletResponse response) {
        if (login == null) {
            throw new InvalidInputException(null, "send a JSON object {\"username\": ..., \"password\": ...}");
        }
        if (login.username() == null || login.username().isBlank()) {
            throw new InvalidInputException("username", "enter the admin account's name");
        }
        if (login.password() == null || login.password().isEmpty()) {
            throw new InvalidInputException("password", "enter the password");
        }
        // The same throttle as HTTP Basic: per address and account, with a ceiling per address.
        String address = request.getRemoteAddr();
        String username = login.username().strip();
        Optional<LoginThrottle.Refusal> refusal = throttle.refusal(address, username);
        if (refusal.isPresent()) {
            long seconds = LoginThrottleFilter.retryAfterSeconds(refusal.get());
            return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS).header(HttpHeaders.RETRY_AFTER, Long.toString(seconds))
                    .body(ProblemDetailsAdvice.problem(HttpStatus.TOO_MANY_REQUESTS, "Too many failed logins",
                            LoginThrottleFilter.detail(refusal.get(), seconds), null));
        }
        Authentication result;
        try {
            result = authentication.authenticate(UsernamePasswordAuthenticationToken.unauthenticated(username, login.password()));
        } catch (AuthenticationException e) {
            throttle.failed(address, username);
            ProblemDetail problem = ProblemDetailsAdvice.problem(HttpStatus.UNAUTHORIZED, "Login failed",
                    "wrong username or password", "password");
            return ResponseEntity.status(HttpStatus.UNAUTHORIZED).body(problem);
        }
        throttle.succeeded(address, username);
        // A new session id at every login (no session fixation), and a new CSRF token with it.
        HttpSession existing = request.getSession(false);
        if (existing != null) {
            request.changeSessionId();
        } else {
            request.getSession(true);
        }
        UsernamePasswordAuthenticationToken authenticated = UsernamePasswordAuthenticationToken.authenticated(
                result.getName(), null, result.getAuthorities());
        authenticated.setDetails(AdminSessionDetails.of(request, result));
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(authenticated);
        SecurityContextHolder.setContext(context);
        contexts.saveContext(context, request, response);
        csrfTokens.saveToken(null, request, response);
        CsrfToken token = csrfTokens.generateToken(request);
        csrfTokens.saveToken(token, request, response);
        return ResponseEntity.ok(caller(authenticated, "session"));
    }

    private static Caller caller(Authentication auth, String by) {
        List<String> roles = auth.getAuthorities().stream().map(GrantedAuthority::getAuthority).toList();
        String role = roles.contains("ROLE_ADMIN") ? "ADMIN" : roles.contains("ROLE_AUDITOR") ? "AUDITOR" : "NONE";
        return new Caller(auth.getName(), role, by);
    }
}
