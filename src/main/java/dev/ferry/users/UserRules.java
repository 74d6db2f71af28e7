package dev.ferry.users;

import dev.ferry.shared.AccountNames;
import dev.ferry.shared.InvalidInputException;
import dev.ferry.shared.PasswordHasher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import dev.ferry.access.IpAllowList;
import dev.ferry.access.Permission;

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
        Map<String, String> result = new LinkedHashMap<>();
        if (permissions == null || permissions.isEmpty()) {
            result.put("/", "*");
            return result;
        }
        for (Map.Entry<String, List<String>> entry : permissions.entrySet()) {
            String path = permissionPath(entry.getKey());
            if (entry.getValue() == null) {
                throw new InvalidInputException("permissions", "permissions for '" + path + "' must be a list, e.g. [\"list\", \"download\"]");
            }
            Set<String> names = new LinkedHashSet<>();
            for (String name : entry.getValue()) {
                if (name == null || !(Permission.ALL.equals(name) || Permission.fromApiName(name).isPresent())) {
                    throw new InvalidInputException("permissions", "unknown permission '" + printable(String.valueOf(name)) + "' for '" + path
                            + "': use " + Permission.acceptedNames());
                }
                names.add(name);
            }
            if (result.put(path, String.join(",", names)) != null) {
                throw new InvalidInputException("permissions", "the path '" + path + "' is given twice");
            }
        }
        return result;
    }

    static String permissionPath(String path) {
        if (path == null || !path.startsWith("/")) {
            throw new InvalidInputException("permissions", "permission path '" + printable(String.valueOf(path)) + "' must start with '/'");
        }
        if (path.length() > 4096 || path.indexOf('\0') >= 0) {
            throw new InvalidInputException("permissions", "permission path is too long or contains a NUL character");
        }
        List<String> segments = new ArrayList<>();
        for (String segment : path.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                throw new InvalidInputException("permissions", "permission path '" + printable(path) + "' must not contain '..'");
            }
            segments.add(segment);
        }
        return "/" + String.join("/", segments);
    }

    static List<String> allowedIps(List<String> cidrs) {
        List<String> result = new ArrayList<>();
        if (cidrs == null) {
            return result;
        }
        for (String cidr : cidrs) {
            result.add(cidr(cidr));
        }
        return result;
    }

    /** An address or CIDR, IPv4 or IPv6, in a normalised form; never resolves host names. */
    static String cidr(String cidr) {
        try {
            return IpAllowList.normalise(cidr);
        } catch (IllegalArgumentException e) {
            throw badCidr(cidr);
        }
    }

    private static InvalidInputException badCidr(String cidr) {
        return new InvalidInputException("allowedIps", "'" + printable(String.valueOf(cidr))
                + "' is not an IP address or CIDR: use e.g. 203.0.113.7, 203.0.113.0/24 or 2001:db8::/32");
    }

    static String printable(String s) {
        return AccountNames.printable(s);
    }
}
