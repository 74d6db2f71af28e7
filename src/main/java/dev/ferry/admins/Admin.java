package dev.ferry.admins;

import dev.ferry.shared.GeneratedId;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.time.Instant;

@Entity
@Table(name = "admins")
class Admin extends GeneratedId {

    @Column(nullable = false)
    String username;

    @Column(name = "password_hash", nullable = false)
    String passwordHash;

    @Column(nullable = false)
    String role = "ADMIN";

    @Column(name = "created_at", nullable = false)
    Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    Instant updatedAt;

    /** Base32 TOTP secret: pending while {@link #totpConfirmedAt} is null (see {@link AdminMfa}). */
    @Column(name = "totp_secret")
    String totpSecret;

    @Column(name = "totp_confirmed_at")
    Instant totpConfirmedAt;

    @Column(name = "totp_last_step")
    Long totpLastStep;

    @Column(name = "mfa_required", nullable = false)
    boolean mfaRequired;

    boolean mfaEnabled() {
        return totpSecret != null && totpConfirmedAt != null;
    }
}
