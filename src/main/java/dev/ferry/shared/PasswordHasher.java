package dev.ferry.shared;

import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.stereotype.Component;

/**
 * Slow, salted password hashes (argon2id, OWASP's 19 MiB / 2 passes / 1 lane). Clear-text
 * passwords never leave this class; {@link #burn(String)} spends the same time for unknown
 * accounts so that response times do not reveal which usernames exist.
 */
@Component
public class PasswordHasher {

    private final Argon2PasswordEncoder encoder = new Argon2PasswordEncoder(16, 32, 1, 19 * 1024, 2);
    private final String dummyHash = encoder.encode("ferry-timing-equaliser");

    public String hash(CharSequence password) {
        return encoder.encode(password);
    }

    public boolean matches(CharSequence password, String hash) {
        if (password == null || hash == null || hash.isEmpty()) {
            return false;
        }
        return encoder.matches(password, hash);
    }

    /** Costs as much as a real check; for unknown users and users without a password. */
    public void burn(CharSequence password) {
        encoder.matches(password == null ? "" : password, dummyHash);
    }
}
