package dev.ferry.adminapi;

import dev.ferry.shared.Totp;
import dev.ferry.users.LoginFactors;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * /api/v1/users/{username}/totp: the TOTP authenticator of an SFTP user whose login policy is
 * {@code key+totp}. The secret is answered once, at enrolment, and never logged or shown again
 * (the user's GET says only {@code totpEnrolled}).
 */
@RestController
@RequestMapping("/api/v1/users")
@Tag(name = "users", description = "SFTP accounts and their SSH keys")
class UserTotpController extends AuditedResource {

    /** The secret to type by hand, its otpauth:// URI, and a QR code of it as a data: URI (PNG). */
    record UserTotpEnrolment(String secret, String otpauthUri, String qrCode) {

        @Override
        public String toString() {
            return "UserTotpEnrolment[secret=****]";
        }
    }

    private final LoginFactors factors;

    UserTotpController(LoginFactors factors, AdminAudit audit) {
        super(audit);
        this.factors = factors;
    }

    @PostMapping("/{username}/totp")
    @Operation(summary = "Enrol a TOTP authenticator for the key+totp login policy: answers the secret, its otpauth:// URI "
            + "and a QR code this once; 409 while one is enrolled (DELETE it first)")
    ResponseEntity<UserTotpEnrolment> enrolTotp(@PathVariable String username, UriComponentsBuilder uri) {
        Totp.Enrolment enrolment = factors.enrolTotp(username);
        audit(username + "/totp", "enrolled a TOTP authenticator for " + username);
        return created(uri, "/{username}/totp", username)
                .header("Cache-Control", "no-store")
                .body(new UserTotpEnrolment(enrolment.secret(), enrolment.otpauthUri(), enrolment.qrCode()));
    }

    @DeleteMapping("/{username}/totp")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Remove the user's TOTP authenticator (a lost device); a key+totp user cannot log in until enrolled again")
    void removeTotp(@PathVariable String username) {
        factors.removeTotp(username);
        audit(username + "/totp", "removed the TOTP authenticator of " + username);
    }
}
