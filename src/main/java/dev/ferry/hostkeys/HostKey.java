package dev.ferry.hostkeys;

import java.time.OffsetDateTime;

/**
 * A host key as the API shows it; never its private half.
 *
 * @param algorithm   the key type as known_hosts names it (ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa)
 * @param fingerprint SHA256 fingerprint, as {@code ssh-keygen -lf} and OpenSSH's prompts print it
 * @param publicKey   the public key in OpenSSH format, for known_hosts ({@code [host]:port <publicKey>})
 * @param state       {@code active} (advertised to clients after login) or {@code retired} (neither advertised nor presented)
 * @param primary     presented in key exchange for its algorithm; each algorithm with active keys has exactly one
 */
public record HostKey(long id, String algorithm, int bits, String fingerprint, String publicKey, String state, boolean primary,
        String label, OffsetDateTime createdAt) {
}
