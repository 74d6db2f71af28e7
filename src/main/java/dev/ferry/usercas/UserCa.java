package dev.ferry.usercas;

import java.time.OffsetDateTime;

/** A trusted OpenSSH user certificate authority, as the API shows it. */
public record UserCa(long id, String name, String type, String publicKey, String fingerprint, OffsetDateTime createdAt) {
}
