package dev.ferry.shared;

import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.stereotype.Component;

/**
 * Slow, salted password hashes (argon2id, OWASP's 19 MiB / 2 passes / 1 lane). Clear-text
 * passwords never leave this class; {@link #burn(String)} spends the same time for unknown
 * accounts so that response times do not reveal which usernames exist.
 * <p>
 * A password is hashed as UTF-8, so one with an unpaired UTF-16 surrogate (JSON can carry
 * {@code "\ud800"}) has no hash: it is refused when set and never matches.
 */
@Component
public class PasswordHasher {

    /** The longest password of a user or an admin; each has its own minimum. */
    public static final int MAX_LENGTH = 1024;

    private final Argon2PasswordEncoder encoder = new Argon2PasswordEncoder(16, 32, 1, 19 * 1024, 2);
    private final String dummyHash = encoder.encode("ferry-timing-equaliser");

    /** {@link InvalidInputException} (field "password") unless the password has {@code min} to {@link #MAX_LENGTH} characters. */
    public static void requireLength(String password, int min) {
        if (password.length() < min || password.length() > MAX_LENGTH) {
            throw new InvalidInputException("password", "password must have " + min + " to " + MAX_LENGTH + " characters");
        }
    }

    /** The hash of a new password; {@link InvalidInputException} (field "password") if it cannot be one. */
    public String hash(CharSequence password) {
        if (password != null && !isWellFormed(password)) {
            throw new InvalidInputException("password", "password contains an unpaired UTF-16 surrogate "
                    + "(an invalid \\uD800-\\uDFFF escape in the JSON): use valid Unicode characters only");
        }
        return encoder.encode(password);
    }

    public boolean matches(CharSequence password, String hash) {
        if (password == null || hash == null || hash.isEmpty()) {
            return false;
        }
        if (!isWellFormed(password)) {
            burn(null); // no stored password can be this one; spend the time a check takes all the same
            return false;
        }
        return encoder.matches(password, hash);
    }

    /** Costs as much as a real check; for unknown users and users without a password. */
    public void burn(CharSequence password) {
        encoder.matches(password == null || !isWellFormed(password) ? "" : password, dummyHash);
    }

    /** Whether every surrogate in the text is half of a pair (only then does it have a UTF-8 form). */
    static boolean isWellFormed(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
