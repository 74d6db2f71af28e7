package dev.ferry.admins;

import dev.ferry.shared.ConflictException;
import dev.ferry.shared.InvalidInputException;
import dev.ferry.shared.NotFoundException;
import dev.ferry.shared.SecretBox;
import dev.ferry.shared.Sha256;
import dev.ferry.shared.Totp;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.commons.codec.binary.Base32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Second factor for local admin accounts: TOTP ({@link Totp}, RFC 6238). An enrolment is pending
 * until confirmed with a code; confirming issues 10 recovery codes, shown once and stored as SHA-256 (80 random bits each), each usable once. A code is accepted for
 * the current step and one either side (clock drift), and never twice: the last accepted step is
 * kept in the database and moved forward by one conditional update, so a replayed code fails on
 * every replica. Throttling of wrong codes is the caller's (the admin API's login throttle).
 */
@Service
public class AdminMfa {

    private static final Logger log = LoggerFactory.getLogger(AdminMfa.class);
    static final int DIGITS = Totp.DIGITS;
    static final int RECOVERY_CODES = 10;

    private final AdminRepository admins;
    /** TOTP secrets are sealed at rest: the database alone does not give the codes. */
    private final SecretBox secrets;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    AdminMfa(AdminRepository admins, SecretBox secrets, Optional<Clock> clock) {
        this.admins = admins;
        this.secrets = secrets;
        this.clock = clock.orElse(Clock.systemUTC());
    }

    /** Starts (or restarts) an enrolment; refused while a confirmed authenticator exists (an ADMIN resets it). */
    @Transactional
    public Totp.Enrolment begin(String username) {
        Admin admin = require(username);
        if (admin.mfaEnabled()) {
            throw new ConflictException("mfa", "two-factor authentication is already on for '" + admin.username
                    + "': to move to a new device, ask another ADMIN to reset it (DELETE /api/v1/admins/{username}/mfa)");
        }
        String secret = Totp.newSecret();
        admin.totpSecret = secrets.seal(secret);
        admin.totpConfirmedAt = null;
        admin.totpLastStep = null;
        admins.saveAndFlush(admin);
        return Totp.enrolment(admin.username, secret);
    }

    /** Confirms a pending enrolment with a current code; returns the recovery codes, which are never shown again. */
    @Transactional
    public List<String> confirm(String username, String code) {
        Admin admin = require(username);
        if (admin.totpSecret == null || admin.mfaEnabled()) {
            throw new ConflictException("mfa", admin.mfaEnabled() ? "two-factor authentication is already on"
                    : "start the enrolment first (POST /api/v1/session/mfa/enrolment)");
        }
        OptionalLong step = matchingStep(secrets.open(admin.totpSecret), code);
        if (step.isEmpty()) {
            throw new InvalidInputException("code", "that is not the current code of the authenticator you just set up: "
                    + "check the device's clock and enter the 6 digits it shows now");
        }
        admin.totpConfirmedAt = clock.instant().truncatedTo(ChronoUnit.MICROS);
        admin.totpLastStep = step.getAsLong();
        admins.saveAndFlush(admin);
        admins.deleteRecoveryCodes(admin.id());
        List<String> recovery = new ArrayList<>();
        Base32 base32 = new Base32();
        for (int i = 0; i < RECOVERY_CODES; i++) {
            byte[] bits = new byte[10];
            random.nextBytes(bits);
            String plain = base32.encodeAsString(bits).toLowerCase(Locale.ROOT);
            admins.addRecoveryCode(admin.id(), hash(plain));
            recovery.add(plain.substring(0, 4) + "-" + plain.substring(4, 8) + "-" + plain.substring(8, 12) + "-" + plain.substring(12));
        }
        log.info("Admin {} turned on two-factor authentication", admin.username);
        return recovery;
    }

    /**
     * A login's second factor: a current TOTP code not used before, or an unused recovery code (then used up).
     * False for anything else, also for an admin without a confirmed authenticator.
     */
    @Transactional
    public boolean verify(String username, String code) {
        if (code == null || code.isBlank()) {
            return false;
        }
        Optional<Admin> found = username == null || username.length() > 64 ? Optional.empty() : admins.findByUsernameIgnoreCase(username);
        if (found.isEmpty() || !found.get().mfaEnabled()) {
            return false;
        }
        Admin admin = found.get();
        String typed = code.replaceAll("[\\s-]", "").toLowerCase(Locale.ROOT);
        if (typed.matches("\\d{" + DIGITS + "}")) {
            OptionalLong step = matchingStep(secrets.open(admin.totpSecret), typed);
            return step.isPresent() && admins.acceptTotpStep(admin.id(), step.getAsLong()) == 1;
        }
        boolean used = typed.matches("[a-z2-7]{16}") && admins.useRecoveryCode(admin.id(), hash(typed)) == 1;
        if (used) {
            log.info("Admin {} logged in with a recovery code", admin.username);
        }
        return used;
    }

    /** Removes the authenticator and recovery codes (a lost device); a required admin enrols again at the next login. */
    @Transactional
    public void reset(String username) {
        Admin admin = require(username);
        admin.totpSecret = null;
        admin.totpConfirmedAt = null;
        admin.totpLastStep = null;
        admins.saveAndFlush(admin);
        admins.deleteRecoveryCodes(admin.id());
        log.info("Two-factor authentication of admin {} was reset", admin.username);
    }

    /** Whether this admin must use a second factor (besides {@code sftp.admin.require-mfa}, which requires it of all). */
    @Transactional
    public void setRequired(String username, boolean required) {
        Admin admin = require(username);
        admin.mfaRequired = required;
        admins.saveAndFlush(admin);
    }

    private OptionalLong matchingStep(String secret, String code) {
        return Totp.matchingStep(secret, code, clock.instant());
    }

    private static String hash(String recoveryCode) {
        return Sha256.hex(recoveryCode);
    }

    private Admin require(String username) {
        if (username == null || username.length() > 64) {
            throw new NotFoundException("no admin account named that");
        }
        return admins.findByUsernameIgnoreCase(username).orElseThrow(() -> new NotFoundException(
                "no admin account named '" + username + "': two-factor authentication is for local admin accounts"));
    }
}
