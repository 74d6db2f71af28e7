package dev.ferry.adminapi;

import java.time.OffsetDateTime;

/** Body of POST /api/v1/users/{username}/keys; label and expiresAt are optional. */
record KeyRequest(String publicKey, String label, OffsetDateTime expiresAt) {
}
