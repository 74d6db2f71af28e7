package dev.ferry.shared;

import java.util.regex.Pattern;

/**
 * The one naming rule for SFTP users and admin accounts: 2 to 64 of A-Z a-z 0-9 . _ -, starting
 * with a letter or digit, without "..". A user's name names a directory, so it must be safe there.
 */
public final class AccountNames {

    public static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{1,63}");

    private AccountNames() {
    }

    public static boolean isValid(String name) {
        return name != null && PATTERN.matcher(name).matches() && !name.contains("..");
    }

    /** The name, or an {@link InvalidInputException} on field {@code username} saying what is allowed. */
    public static String require(String name) {
        if (name == null || name.isBlank()) {
            throw new InvalidInputException("username", "username is required");
        }
        if (!isValid(name)) {
            throw new InvalidInputException("username", "username '" + printable(name) + "' is not allowed: use 2 to 64 characters "
                    + "from A-Z a-z 0-9 . _ -, starting with a letter or digit, without '..'");
        }
        return name;
    }

    /** User input shown in a message: control and non-ASCII characters as '?', at most 80 characters. */
    public static String printable(String s) {
        String p = s.replaceAll("[^\\x20-\\x7e]", "?");
        return p.length() > 80 ? p.substring(0, 80) + "..." : p;
    }
}
