package dev.ferry.admins;

import dev.ferry.shared.AccountNames;
import dev.ferry.shared.InvalidInputException;
import java.util.regex.Pattern;

/** What an admin account may look like; each failure names the JSON field to fix. */
final class AdminRules {

    /** The same names as SFTP users: 2 to 64 of A-Z a-z 0-9 . _ -, starting with a letter or digit. */
    static final Pattern USERNAME = AccountNames.PATTERN;
    /** Longer than users' minimum: an admin password opens every account. */
    static final int MIN_PASSWORD = 12;
    static final int MAX_PASSWORD = 1024;

    private AdminRules() {
    }

    static String username(String username) {
        return AccountNames.require(username);
    }

    static String password(String password) {
        if (password == null) {
            throw new InvalidInputException("password", "password is required: an admin signs in with it (" + MIN_PASSWORD + " to "
                    + MAX_PASSWORD + " characters)");
        }
        if (password.length() < MIN_PASSWORD || password.length() > MAX_PASSWORD) {
            throw new InvalidInputException("password", "password must have " + MIN_PASSWORD + " to " + MAX_PASSWORD + " characters");
        }
        return password;
    }

    static AdminRole role(AdminRole role) {
        if (role == null) {
            throw new InvalidInputException("role", "role is required: ADMIN (changes everything) or AUDITOR (reads only)");
        }
        return role;
    }

    static String printable(String s) {
        return AccountNames.printable(s);
    }
}
