package dev.ferry.users;

import dev.ferry.shared.AccountNames;
import dev.ferry.shared.InvalidInputException;
import dev.ferry.shared.PasswordHasher;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import dev.ferry.access.AccessSettings;

/** The rules for what a user may look like; each failure names the JSON field to fix. */
final class UserRules {

    static final Pattern USERNAME = AccountNames.PATTERN;
    static final int MIN_PASSWORD = 8;

    private UserRules() {
    }

    static String username(String username) {
        return AccountNames.require(username);
    }

    /** A user may have no password (keys only). */
    static void password(String password) {
        if (password != null) {
            PasswordHasher.requireLength(password, MIN_PASSWORD);
        }
    }

    static long nonNegative(String field, Long value) {
        if (value == null) {
            return 0;
        }
        if (value < 0) {
            throw new InvalidInputException(field, field + " must be 0 (unlimited) or more, not " + value);
        }
        return value;
    }

    /** Normalises paths ({@code /a/b}), checks permission names; an empty map means the default. */
    static Map<String, String> permissions(Map<String, List<String>> permissions) {
        Map<String, String> result = AccessSettings.permissions(permissions);
        if (result.isEmpty()) {
            result.put("/", "*");
        }
        return result;
    }

    static String permissionPath(String path) {
        return AccessSettings.permissionPath(path);
    }

    static List<String> allowedIps(List<String> cidrs) {
        return AccessSettings.allowedIps(cidrs);
    }

    /** An address or CIDR, IPv4 or IPv6, in a normalised form; never resolves host names. */
    static String cidr(String cidr) {
        return AccessSettings.cidr(cidr);
    }

    static String printable(String s) {
        return AccountNames.printable(s);
    }
}
