package dev.ferry.groups;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The settings in force for a user, each with where it comes from. The one rule combining a
 * user's own settings with their groups' (logins, session refreshes, quota checks and the admin
 * API's {@code effective} view all come here):
 * <ul>
 * <li>every value is resolved on its own (quota bytes apart from quota files, upload bandwidth
 * apart from download);</li>
 * <li>a value the user sets (non-zero; a non-empty list) wins;</li>
 * <li>otherwise the first group in the user's {@code groups} list that sets it;</li>
 * <li>otherwise the default: unlimited, any address;</li>
 * <li>permissions are combined per path: the user's entry for a path wins; for a path the user
 * names no entry for, the groups' entries for it are joined (being in one more group never takes
 * a right away at a path the groups name); with no entry at all, {@code {"/": ["*"]}}. The
 * longest matching path then decides as for any user, so a group's {@code /inbox} entry governs
 * {@code /inbox} even where the user's own {@code /} allows more.</li>
 * </ul>
 */
public record EffectiveSettings(
        Map<String, Sourced<List<String>>> permissions,
        EffectiveQuota quota,
        Sourced<List<String>> allowedIps,
        Sourced<Integer> maxSessions,
        EffectiveBandwidth bandwidth) {

    public record EffectiveQuota(Sourced<Long> maxBytes, Sourced<Long> maxFiles) {
    }

    public record EffectiveBandwidth(Sourced<Long> uploadBytesPerSecond, Sourced<Long> downloadBytesPerSecond) {
    }

    private static final String ALL = "*";

    /** @param groups the user's groups in the user's order */
    public static EffectiveSettings of(Settings own, List<GroupSettings> groups) {
        return new EffectiveSettings(
                permissions(own, groups),
                new EffectiveQuota(first(own, groups, Settings::quotaMaxBytes, v -> v > 0, 0L),
                        first(own, groups, Settings::quotaMaxFiles, v -> v > 0, 0L)),
                first(own, groups, Settings::allowedIps, v -> !v.isEmpty(), List.of()),
                first(own, groups, Settings::maxSessions, v -> v > 0, 0),
                new EffectiveBandwidth(first(own, groups, Settings::uploadBytesPerSecond, v -> v > 0, 0L),
                        first(own, groups, Settings::downloadBytesPerSecond, v -> v > 0, 0L)));
    }

    /** The permissions in force, as the permission check takes them. */
    public Map<String, List<String>> permissionValues() {
        Map<String, List<String>> values = new LinkedHashMap<>();
        permissions.forEach((path, sourced) -> values.put(path, sourced.value()));
        return values;
    }

    private static <T> Sourced<T> first(Settings own, List<GroupSettings> groups, Function<Settings, T> field,
            Predicate<T> set, T unset) {
        T mine = field.apply(own);
        if (set.test(mine)) {
            return new Sourced<>(mine, Sourced.USER);
        }
        for (GroupSettings group : groups) {
            T theirs = field.apply(group.settings());
            if (set.test(theirs)) {
                return new Sourced<>(theirs, Sourced.group(group.name()));
            }
        }
        return new Sourced<>(unset, Sourced.DEFAULT);
    }

    private static Map<String, Sourced<List<String>>> permissions(Settings own, List<GroupSettings> groups) {
        Map<String, Sourced<List<String>>> result = new TreeMap<>();
        own.permissions().forEach((path, names) -> result.put(path, new Sourced<>(List.copyOf(names), Sourced.USER)));
        Map<String, Set<String>> joined = new LinkedHashMap<>();
        Map<String, List<String>> sources = new LinkedHashMap<>();
        for (GroupSettings group : groups) {
            group.settings().permissions().forEach((path, names) -> {
                if (result.containsKey(path)) {
                    return;
                }
                joined.computeIfAbsent(path, p -> new LinkedHashSet<>()).addAll(names);
                sources.computeIfAbsent(path, p -> new ArrayList<>()).add(Sourced.group(group.name()));
            });
        }
        joined.forEach((path, names) -> result.put(path, new Sourced<>(
                names.contains(ALL) ? List.of(ALL) : List.copyOf(names), String.join(",", sources.get(path)))));
        if (result.isEmpty()) {
            result.put("/", new Sourced<>(List.of(ALL), Sourced.DEFAULT));
        }
        return result;
    }
}
