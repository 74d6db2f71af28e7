package dev.ferry.users;

import dev.ferry.shared.GeneratedId;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.time.Instant;

@Entity
@Table(name = "user_keys")
class UserKey extends GeneratedId {

    @Column(name = "user_id", nullable = false)
    Long userId;

    @Column(name = "key_type", nullable = false)
    String keyType;

    /** Base64 of the SSH wire-format public key blob. */
    @Column(name = "key_data", nullable = false)
    String keyData;

    String comment;

    @Column(nullable = false)
    String fingerprint;

    @Column(name = "created_at", nullable = false)
    Instant createdAt;

    String label;

    @Column(name = "expires_at")
    Instant expiresAt;

    /** Written by KeyUsage in batches, never through this entity. */
    @Column(name = "last_used_at", insertable = false, updatable = false)
    Instant lastUsedAt;
}
