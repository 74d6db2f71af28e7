package dev.ferry.admins;

import dev.ferry.shared.AccountNames;
import dev.ferry.shared.InvalidInputException;
import dev.ferry.shared.PasswordHasher;

/** What an admin account may look like (its name: {@link AccountNames}); each failure names the JSON field to fix. */
final class AdminRules {

    /** Longer than users' minimum: an admin password opens every account. */
    static final int MIN_PASSWORD = 12;

    private AdminRules() {
    }

    static String password(String password) {
        if (password == null) {
            throw new InvalidInputException("password", "password is required: an admin signs in with it (" + MIN_PASSWORD + " to "
                    + PasswordHasher.MAX_LENGTH + " characters)");
        }
        PasswordHasher.requireLength(password, MIN_PASSWORD);
        return password;
    }

    static AdminRole role(AdminRole role) {
        if (role == null) {
            throw new InvalidInputException("role", "role is required: ADMIN (changes everything) or AUDITOR (reads only)");
        }
        return role;
    }
}
