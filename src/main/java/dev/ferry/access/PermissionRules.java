package dev.ferry.access;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Per-path permissions: an entry is governed by the longest rule whose path is the entry's own
 * path or an ancestor, matched by whole segments ({@code /inbox} governs {@code /inbox/a}, not
 * {@code /inboxes}). A path no rule governs has no permission at all.
 */
public final class PermissionRules {

    private record Rule(String path, Set<Permission> permissions) {
    }

    /** The default when an account names no rule: everything everywhere. */
    public static final PermissionRules ALLOW_ALL = of(Map.of("/", List.of(Permission.ALL)));

    private final List<Rule> longestFirst;

    private PermissionRules(List<Rule> rules) {
        this.longestFirst = rules;
    }

    /**
     * @param rules normalised virtual path (leading "/", no trailing "/", no "." or "..") to
     *              permission names as the admin API spells them
     */
    public static PermissionRules of(Map<String, ? extends Collection<String>> rules) {
        List<Rule> list = new ArrayList<>();
        rules.forEach((path, names) -> {
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("permission path must start with '/': " + path);
            }
            Set<Permission> set = EnumSet.noneOf(Permission.class);
            for (String name : names) {
                if (Permission.ALL.equals(name)) {
                    set.addAll(EnumSet.allOf(Permission.class));
                } else {
                    set.add(Permission.fromApiName(name)
                            .orElseThrow(() -> new IllegalArgumentException("unknown permission: " + name)));
                }
            }
            String normalised = normalise(path);
            if (list.stream().anyMatch(r -> r.path().equals(normalised))) {
                throw new IllegalArgumentException("permission path given twice: " + normalised);
            }
            list.add(new Rule(normalised, Collections.unmodifiableSet(set)));
        });
        list.sort(Comparator.comparingInt((Rule r) -> r.path().length()).reversed());
        return new PermissionRules(List.copyOf(list));
    }

    /**
     * Whether {@code permission} is granted on every path, i.e. only the root rule exists and
     * grants it: then where a path resolves to through links cannot change the answer.
     */
    public boolean grantsEverywhere(Permission permission) {
        return longestFirst.size() == 1 && longestFirst.get(0).path().equals("/")
                && longestFirst.get(0).permissions().contains(permission);
    }

    /** @param path a normalised virtual path, e.g. {@code /inbox/a.txt} */
    public boolean allows(String path, Permission permission) {
        return permissionsAt(path).contains(permission);
    }

    /**
     * The permissions of the rule that governs {@code path}; empty if none does. Unmodifiable.
     *
     * @throws IllegalArgumentException if {@code path} does not start with "/"
     */
    public Set<Permission> permissionsAt(String path) {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with '/': " + path);
        }
        String normalised = normalise(path);
        for (Rule rule : longestFirst) {
            if (governs(rule.path(), normalised)) {
                return rule.permissions();
            }
        }
        return Set.of();
    }

    static boolean governs(String rulePath, String path) {
        if (rulePath.equals("/")) {
            return true;
        }
        return path.equals(rulePath) || path.startsWith(rulePath) && path.charAt(rulePath.length()) == '/';
    }

    private static String normalise(String path) {
        int end = path.length();
        while (end > 1 && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(0, end);
    }
}
