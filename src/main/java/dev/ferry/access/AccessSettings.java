package dev.ferry.access;

import dev.ferry.shared.AccountNames;
import dev.ferry.shared.InvalidInputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks the access settings an admin gives a user or a group ({@code permissions},
 * {@code allowedIps}) and brings them into the stored form; each failure names the JSON field.
 * One place for both, so a group accepts exactly what a user does.
 */
public final class AccessSettings {

    private AccessSettings() {
    }

    /**
     * Normalised paths ({@code /a/b}) to comma-separated permission names; null or empty gives an
     * empty map (the caller decides what no rule means).
     */
    public static Map<String, String> permissions(Map<String, List<String>> permissions) {
        Map<String, String> result = new LinkedHashMap<>();
        if (permissions == null) {
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
                    throw new InvalidInputException("permissions", "unknown permission '" + AccountNames.printable(String.valueOf(name))
                            + "' for '" + path + "': use " + Permission.acceptedNames());
                }
                names.add(name);
            }
            if (result.put(path, String.join(",", names)) != null) {
                throw new InvalidInputException("permissions", "the path '" + path + "' is given twice");
            }
        }
        return result;
    }

    public static String permissionPath(String path) {
        if (path == null || !path.startsWith("/")) {
            throw new InvalidInputException("permissions", "permission path '" + AccountNames.printable(String.valueOf(path))
                    + "' must start with '/'");
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
                throw new InvalidInputException("permissions", "permission path '" + AccountNames.printable(path) + "' must not contain '..'");
            }
            segments.add(segment);
        }
        return "/" + String.join("/", segments);
    }

    /** Addresses or CIDRs, IPv4 or IPv6, in a normalised form; never resolves host names. */
    public static List<String> allowedIps(List<String> cidrs) {
        List<String> result = new ArrayList<>();
        if (cidrs == null) {
            return result;
        }
        for (String cidr : cidrs) {
            result.add(cidr(cidr));
        }
        return result;
    }

    public static String cidr(String cidr) {
        try {
            return IpAllowList.normalise(cidr);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("allowedIps", "'" + AccountNames.printable(String.valueOf(cidr))
                    + "' is not an IP address or CIDR: use e.g. 203.0.113.7, 203.0.113.0/24 or 2001:db8::/32");
        }
    }

    /** Stored comma-separated permissions back as the API's lists, paths sorted. */
    public static Map<String, List<String>> permissionLists(Map<String, String> stored) {
        Map<String, List<String>> result = new LinkedHashMap<>();
        stored.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> result.put(e.getKey(), e.getValue().isEmpty() ? List.of() : List.of(e.getValue().split(","))));
        return result;
    }
}
