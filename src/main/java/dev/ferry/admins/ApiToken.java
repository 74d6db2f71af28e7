package dev.ferry.admins;

import dev.ferry.shared.GeneratedId;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.time.Instant;

@Entity
@Table(name = "api_tokens")
class ApiToken extends GeneratedId {

    @Column(nullable = false)
    String name;

    @Column(nullable = false)
    String role;

    /** Lowercase hex SHA-256 of the token; the token itself is never stored. */
    @Column(name = "token_hash", nullable = false)
    String tokenHash;

    @Column(name = "created_by", nullable = false)
    String createdBy;

    @Column(name = "created_at", nullable = false)
    Instant createdAt;

    @Column(name = "expires_at")
    Instant expiresAt;

    @Column(name = "last_used_at")
    Instant lastUsedAt;
}
