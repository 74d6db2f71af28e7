package dev.ferry.adminapi;

import dev.ferry.admins.AdminMfa;
import dev.ferry.shared.ConflictException;
import dev.ferry.shared.InvalidInputException;
import dev.ferry.shared.Totp;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Two-factor authentication (TOTP) of local admin accounts ({@link AdminMfa}): an admin logged in
 * to the admin UI enrols their own authenticator ({@code /api/v1/session/mfa}); an ADMIN requires it
 * of an account or resets a lost one ({@code /api/v1/admins/{username}/mfa}). A wrong code counts
 * as a failed login in the {@link LoginThrottle}.
 */
@RestController
@Tag(name = "session", description = "The admin UI's login session")
class AdminMfaController {

    /** The secret to type by hand, its otpauth:// URI, and a QR code of it as a data: URI (PNG). */
    record EnrolmentView(String secret, String otpauthUri, String qrCode) {
    }

    record Confirmation(@Nullable String code) {
    }

    /** Shown once: each works once in place of a code. */
    record RecoveryCodes(List<String> recoveryCodes) {
    }

    record Requirement(@Nullable Boolean required) {
    }

    private final AdminMfa mfa;
    private final LoginThrottle throttle;
    private final AdminSessions sessions;
    private final AdminAudit audit;

    AdminMfaController(AdminMfa mfa, LoginThrottle throttle, AdminSessions sessions, AdminAudit audit) {
        this.mfa = mfa;
        this.throttle = throttle;
        this.sessions = sessions;
        this.audit = audit;
    }

    @PostMapping(AdminSessionController.PATH + "/mfa/enrolment")
    @Operation(summary = "Start setting up two-factor authentication for the logged-in admin (admin UI session only): "
            + "a new TOTP secret and its QR code, pending until confirmed")
    EnrolmentView enrol(Authentication auth) {
        Totp.Enrolment enrolment = mfa.begin(localAdmin(auth));
        return new EnrolmentView(enrolment.secret(), enrolment.otpauthUri(), enrolment.qrCode());
    }

    @PostMapping(AdminSessionController.PATH + "/mfa")
    @Operation(summary = "Confirm the enrolment with a current code: turns two-factor authentication on and answers the "
            + "recovery codes, shown this once")
    ResponseEntity<?> confirm(@RequestBody(required = false) Confirmation body, Authentication auth, HttpServletRequest request,
            HttpServletResponse response) {
        String username = localAdmin(auth);
        if (body == null || body.code() == null || body.code().isBlank()) {
            throw new InvalidInputException("code", "enter the 6-digit code your authenticator app shows");
        }
        String address = request.getRemoteAddr();
        Optional<LoginThrottle.Refusal> refusal = throttle.refusal(address, username);
        if (refusal.isPresent()) {
            long seconds = LoginThrottleFilter.retryAfterSeconds(refusal.get());
            return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS).header(HttpHeaders.RETRY_AFTER, Long.toString(seconds))
                    .body(ProblemDetailsAdvice.problem(HttpStatus.TOO_MANY_REQUESTS, "Too many failed logins",
                            LoginThrottleFilter.detail(refusal.get(), seconds), "code"));
        }
        List<String> codes;
        try {
            codes = mfa.confirm(username, body.code().strip());
        } catch (InvalidInputException e) {
            throttle.failed(address, username);
            throw e;
        }
        audit.record("/api/v1/admins/" + username + "/mfa", "turned on two-factor authentication");
        if (auth.getAuthorities().stream().anyMatch(a -> AdminSessionController.MFA_ENROLMENT.equals(a.getAuthority()))
                && auth.getDetails() instanceof AdminSessionDetails details) {
            // enrolled as required: the session now gets the account's role (on a new session id)
            UsernamePasswordAuthenticationToken upgraded = UsernamePasswordAuthenticationToken.authenticated(auth.getName(), null,
                    List.of(new SimpleGrantedAuthority(details.role())));
            upgraded.setDetails(details);
            sessions.establish(upgraded, request, response);
        }
        return ResponseEntity.ok(new RecoveryCodes(codes));
    }

    @PutMapping("/api/v1/admins/{username}/mfa")
    @Operation(summary = "Require two-factor authentication of an admin account, or not ({\"required\": true}); "
            + "sftp.admin.require-mfa requires it of all")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void require(@PathVariable String username, @RequestBody(required = false) Requirement body) {
        if (body == null || body.required() == null) {
            throw new InvalidInputException("required", "send {\"required\": true} or {\"required\": false}");
        }
        mfa.setRequired(username, body.required());
        audit.record("/api/v1/admins/" + username + "/mfa", (body.required() ? "required" : "no longer required")
                + " two-factor authentication of admin " + username);
    }

    @DeleteMapping("/api/v1/admins/{username}/mfa")
    @Operation(summary = "Reset an admin's two-factor authentication (a lost device): removes the authenticator and the "
            + "recovery codes; a required admin enrols again at the next login")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void reset(@PathVariable String username) {
        mfa.reset(username);
        audit.record("/api/v1/admins/" + username + "/mfa", "reset two-factor authentication of admin " + username);
    }

    /** Only a local admin's own admin UI session enrols: SSO admins use their provider's MFA, tokens have none. */
    private static String localAdmin(Authentication auth) {
        if (!(auth.getDetails() instanceof AdminSessionDetails)) {
            throw new ConflictException("mfa", "two-factor authentication is set up by a local admin account logged in to the "
                    + "admin UI (single sign-on admins use their identity provider's, API tokens have none)");
        }
        return auth.getName();
    }
}
