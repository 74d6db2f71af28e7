package dev.ferry.adminapi;

import dev.ferry.admins.AdminAccounts;
import dev.ferry.admins.AdminCredentials;
import dev.ferry.admins.AdminMfa;
import dev.ferry.shared.InvalidInputException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
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
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
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
 * An admin with two-factor authentication ({@link AdminMfa}) sends the code with the password; one
 * who must enrol first gets a session that can only enrol ({@link AdminMfaController}).
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

    /** The only authority of a session whose admin must enrol a second factor before anything else. */
    static final String MFA_ENROLMENT = "MFA_ENROLMENT";

    /**
     * Who is logged in, with the role that decides what the UI offers.
     *
     * @param mfaEnabled           a local admin's session whose account has two-factor authentication on
     * @param mfaEnrolmentRequired the session may only enrol a second factor (role NONE until it is confirmed)
     */
    record Caller(String username, String role, String authenticatedBy, boolean mfaEnabled, boolean mfaEnrolmentRequired) {
    }

    /** @param code the TOTP code or a recovery code, for an admin with two-factor authentication */
    record Login(String username, String password, @Nullable String code) {

        @Override
        public String toString() {
            return "Login[username=" + username + "]";
        }
    }

    private final AuthenticationManager authentication;
    private final LoginThrottle throttle;
    private final OidcProperties oidc;
    private final AdminAccounts admins;
    private final AdminMfa mfa;
    private final AdminSessions sessions;

    AdminSessionController(UserDetailsService adminDetails, PasswordEncoder passwords, LoginThrottle throttle, OidcProperties oidc,
            AdminAccounts admins, AdminMfa mfa, AdminSessions sessions) {
        // The same lookup and password check as HTTP Basic (an unknown name costs the same hash as a known one).
        DaoAuthenticationProvider provider = new DaoAuthenticationProvider(adminDetails);
        provider.setPasswordEncoder(passwords);
        this.authentication = provider::authenticate;
        this.throttle = throttle;
        this.oidc = oidc;
        this.admins = admins;
        this.mfa = mfa;
        this.sessions = sessions;
    }

    @GetMapping("/options")
    @Operation(summary = "How to log in to the admin UI: password, and single sign-on with an OpenID provider when configured "
            + "(no authentication needed)")
    LoginOptions options() {
        return new LoginOptions(true, oidc.enabled()
                ? new SingleSignOn(oidc.providerName(), "/oauth2/authorization/" + OidcProperties.REGISTRATION) : null);
    }

    @GetMapping
    @Operation(summary = "Who the caller is and their role (ADMIN or AUDITOR); for a local admin's session also the "
            + "two-factor state (a session that must enrol first has role NONE)")
    Caller whoAmI(Authentication auth) {
        String by = auth.getDetails() instanceof AdminSessionDetails ? "session"
                : auth instanceof OAuth2AuthenticationToken ? "sso"
                : auth instanceof JwtAuthenticationToken ? "access-token"
                : auth.getName().startsWith("token:") ? "token" : "basic";
        return caller(auth, by);
    }

    @PostMapping
    @Operation(summary = "Log in to the admin UI: starts a session cookie and issues a CSRF token (XSRF-TOKEN cookie). "
            + "An admin with two-factor authentication also sends \"code\" (TOTP or a recovery code): without it the answer "
            + "is 401 with field \"code\"")
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
        // The same throttle as HTTP Basic: per address and account, with a ceiling per address. Wrong codes count too.
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
        AdminCredentials account = admins.find(result.getName()).orElse(null);
        List<GrantedAuthority> roles = result.getAuthorities().stream().filter(a -> a.getAuthority().startsWith("ROLE_"))
                .map(a -> (GrantedAuthority) new SimpleGrantedAuthority(a.getAuthority())).toList();
        if (account != null && account.mfaEnabled()) {
            if (login.code() == null || login.code().isBlank()) {
                // the password was right: neither a failure nor a success until the code comes
                return ResponseEntity.status(HttpStatus.UNAUTHORIZED).body(ProblemDetailsAdvice.problem(HttpStatus.UNAUTHORIZED,
                        "Code required", "enter the 6-digit code from your authenticator app, or one of your recovery codes", "code"));
            }
            if (!mfa.verify(account.username(), login.code())) {
                throttle.failed(address, username);
                return ResponseEntity.status(HttpStatus.UNAUTHORIZED).body(ProblemDetailsAdvice.problem(HttpStatus.UNAUTHORIZED,
                        "Login failed", "the code is wrong or was already used: enter the code your authenticator app shows "
                                + "now (each code works once), or an unused recovery code", "code"));
            }
        } else if (account != null && account.mfaRequired()) {
            // Two-factor authentication is required and not set up yet: this session may only enrol.
            roles = List.of(new SimpleGrantedAuthority(MFA_ENROLMENT));
        }
        throttle.succeeded(address, username);
        UsernamePasswordAuthenticationToken authenticated = UsernamePasswordAuthenticationToken.authenticated(result.getName(), null, roles);
        authenticated.setDetails(AdminSessionDetails.of(request, result));
        sessions.establish(authenticated, request, response);
        return ResponseEntity.ok(caller(authenticated, "session"));
    }

    private Caller caller(Authentication auth, String by) {
        List<String> roles = auth.getAuthorities().stream().map(GrantedAuthority::getAuthority).toList();
        String role = roles.contains("ROLE_ADMIN") ? "ADMIN" : roles.contains("ROLE_AUDITOR") ? "AUDITOR" : "NONE";
        boolean local = auth.getDetails() instanceof AdminSessionDetails;
        boolean mfaEnabled = local && admins.find(auth.getName()).map(AdminCredentials::mfaEnabled).orElse(false);
        return new Caller(auth.getName(), role, by, mfaEnabled, roles.contains(MFA_ENROLMENT));
    }
}
