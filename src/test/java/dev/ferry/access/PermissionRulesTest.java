package dev.ferry.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Which rule governs a path, and what it grants (CONTRACT.md, Users, {@code permissions}). */
class PermissionRulesTest {

    private static PermissionRules rules(Object... pathsAndNames) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        for (int i = 0; i < pathsAndNames.length; i += 2) {
            map.put((String) pathsAndNames[i], Arrays.asList(((String) pathsAndNames[i + 1]).isEmpty()
                    ? new String[0] : ((String) pathsAndNames[i + 1]).split(",")));
        }
        return PermissionRules.of(map);
    }

    // ---- which rule governs ----------------------------------------------------------------

    @Test
    void theLongestGoverningRuleWinsNotTheUnionOfAllGoverningRules() {
        PermissionRules rules = rules("/", "list,download", "/inbox", "list,upload,mkdir");

        assertThat(rules.permissionsAt("/inbox/a.txt")).containsExactlyInAnyOrder(Permission.LIST, Permission.UPLOAD, Permission.MKDIR);
        assertThat(rules.allows("/inbox/a.txt", Permission.DOWNLOAD)).isFalse();
        assertThat(rules.allows("/outbox/a.txt", Permission.DOWNLOAD)).isTrue();
        assertThat(rules.allows("/outbox/a.txt", Permission.UPLOAD)).isFalse();
    }

    @Test
    void theLongestRuleWinsWhateverOrderTheRulesAreGivenIn() {
        PermissionRules shortFirst = rules("/", "*", "/a", "list", "/a/b", "download");
        PermissionRules longFirst = rules("/a/b", "download", "/a", "list", "/", "*");

        for (PermissionRules rules : List.of(shortFirst, longFirst)) {
            assertThat(rules.permissionsAt("/a/b/c")).containsExactly(Permission.DOWNLOAD);
            assertThat(rules.permissionsAt("/a/x")).containsExactly(Permission.LIST);
            assertThat(rules.permissionsAt("/x")).isEqualTo(EnumSet.allOf(Permission.class));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/inbox", "/inbox/a", "/inbox/a/b", "/inbox/a/b/c.txt", "/inbox/.hidden", "/inbox/inbox"})
    void aRuleGovernsItsOwnPathAndEverythingBelowIt(String path) {
        PermissionRules rules = rules("/inbox", "upload");

        assertThat(rules.allows(path, Permission.UPLOAD)).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/inboxes", "/inbo", "/inbox.txt", "/inbox-old/a", "/inboxes/a", "/", "/x/inbox", "/Inbox", "/INBOX/a"})
    void aRuleMatchesWholeSegmentsOnlyAndIsCaseSensitive(String path) {
        PermissionRules rules = rules("/inbox", "upload");

        assertThat(rules.allows(path, Permission.UPLOAD)).isFalse();
        assertThat(rules.permissionsAt(path)).isEmpty();
    }

    @Test
    void aRuleSharingAPrefixButNotASegmentDoesNotShadowTheRootRule() {
        PermissionRules rules = rules("/", "list", "/inbox", "upload");

        assertThat(rules.permissionsAt("/inboxes/a")).containsExactly(Permission.LIST);
        assertThat(rules.permissionsAt("/inbo")).containsExactly(Permission.LIST);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/", "/a", "/a/b/c", "/inboxes", "/in", "/outbox/deep/er/file.bin"})
    void theRootRuleGovernsEverythingNoLongerRuleGoverns(String path) {
        PermissionRules rules = rules("/", "list", "/inbox", "upload");

        assertThat(rules.permissionsAt(path)).containsExactly(Permission.LIST);
    }

    @Test
    void theRootRuleGovernsTheRootItself() {
        assertThat(rules("/", "list").allows("/", Permission.LIST)).isTrue();
        assertThat(rules("/", "list", "/a", "").allows("/", Permission.LIST)).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/", "/outbox", "/outbox/a", "/inboxes", "/in", "/a/inbox"})
    void aPathNoRuleGovernsHasNoPermissionWhenThereIsNoRootRule(String path) {
        PermissionRules rules = rules("/inbox", "*", "/archive/2024", "list,download");

        assertThat(rules.permissionsAt(path)).isEmpty();
        for (Permission p : Permission.values()) {
            assertThat(rules.allows(path, p)).as("%s at %s", p, path).isFalse();
        }
    }

    @Test
    void theParentOfANestedRuleIsNotGovernedByIt() {
        PermissionRules rules = rules("/archive/2024", "list");

        assertThat(rules.allows("/archive", Permission.LIST)).isFalse();
        assertThat(rules.allows("/archive/2023", Permission.LIST)).isFalse();
        assertThat(rules.allows("/archive/2024", Permission.LIST)).isTrue();
        assertThat(rules.allows("/archive/2024/jan", Permission.LIST)).isTrue();
    }

    @Test
    void noRulesAtAllDenyEverything() {
        PermissionRules rules = PermissionRules.of(Map.of());

        assertThat(rules.permissionsAt("/")).isEmpty();
        assertThat(rules.permissionsAt("/a/b")).isEmpty();
    }

    // ---- what a rule grants ----------------------------------------------------------------

    @Test
    void aStarGrantsEveryPermission() {
        PermissionRules rules = rules("/", "*");

        assertThat(rules.permissionsAt("/any/where")).isEqualTo(EnumSet.allOf(Permission.class));
    }

    @Test
    void aStarMixedWithNamesStillGrantsEveryPermission() {
        assertThat(rules("/", "list,*").permissionsAt("/x")).isEqualTo(EnumSet.allOf(Permission.class));
        assertThat(rules("/", "*,delete").permissionsAt("/x")).isEqualTo(EnumSet.allOf(Permission.class));
    }

    @Test
    void aRepeatedNameGrantsItOnce() {
        assertThat(rules("/", "list,list").permissionsAt("/x")).containsExactly(Permission.LIST);
    }

    @Test
    void anEmptyListDeniesEverythingInItsSubtreeEvenIfTheRootAllowsAll() {
        PermissionRules rules = rules("/", "*", "/secret", "");

        for (String path : List.of("/secret", "/secret/a", "/secret/a/b.txt")) {
            assertThat(rules.permissionsAt(path)).as(path).isEmpty();
            for (Permission p : Permission.values()) {
                assertThat(rules.allows(path, p)).as("%s at %s", p, path).isFalse();
            }
        }
        assertThat(rules.permissionsAt("/secrets")).isEqualTo(EnumSet.allOf(Permission.class));
        assertThat(rules.permissionsAt("/")).isEqualTo(EnumSet.allOf(Permission.class));
    }

    @Test
    void anEmptyRootListDeniesEverythingNoOtherRuleGoverns() {
        PermissionRules rules = rules("/", "", "/inbox", "upload");

        assertThat(rules.permissionsAt("/a")).isEmpty();
        assertThat(rules.permissionsAt("/inbox/a")).containsExactly(Permission.UPLOAD);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Permission.class)
    void eachPermissionAloneGrantsExactlyItself(Permission permission) {
        PermissionRules rules = rules("/", "", "/dir", permission.apiName());

        assertThat(rules.permissionsAt("/dir/f")).containsExactly(permission);
        for (Permission other : Permission.values()) {
            assertThat(rules.allows("/dir/f", other)).as(other.apiName()).isEqualTo(other == permission);
            assertThat(rules.allows("/elsewhere", other)).as(other.apiName()).isFalse();
        }
    }

    @ParameterizedTest(name = "all but {0}")
    @EnumSource(Permission.class)
    void everyPermissionButOneGrantsAllButThatOne(Permission missing) {
        List<String> names = new ArrayList<>();
        for (Permission p : Permission.values()) {
            if (p != missing) {
                names.add(p.apiName());
            }
        }
        PermissionRules rules = PermissionRules.of(Map.of("/", names));

        assertThat(rules.allows("/f", missing)).isFalse();
        assertThat(rules.permissionsAt("/f")).isEqualTo(EnumSet.complementOf(EnumSet.of(missing)));
    }

    @Test
    void theApiNamesAreTheLowerCaseContractNames() {
        assertThat(Arrays.stream(Permission.values()).map(Permission::apiName)).containsExactly(
                "list", "download", "upload", "overwrite", "delete", "rename", "mkdir", "rmdir", "symlink", "setstat");
        assertThat(Permission.acceptedNames())
                .isEqualTo("*, list, download, upload, overwrite, delete, rename, mkdir, rmdir, symlink, setstat");
        assertThat(Permission.fromApiName("LIST")).isEmpty();
        assertThat(Permission.fromApiName("*")).isEmpty();
        assertThat(Permission.fromApiName(null)).isEmpty();
    }

    @Test
    void allowAllGrantsEveryPermissionEverywhere() {
        for (String path : List.of("/", "/a", "/a/b/c", "/inbox/", "/.hidden")) {
            assertThat(PermissionRules.ALLOW_ALL.permissionsAt(path)).as(path).isEqualTo(EnumSet.allOf(Permission.class));
            for (Permission p : Permission.values()) {
                assertThat(PermissionRules.ALLOW_ALL.allows(path, p)).isTrue();
            }
        }
    }

    @Test
    void theGrantedSetCannotBeChangedByTheCaller() {
        Set<Permission> granted = PermissionRules.ALLOW_ALL.permissionsAt("/x");

        assertThatThrownBy(granted::clear).isInstanceOf(UnsupportedOperationException.class);
        assertThat(PermissionRules.ALLOW_ALL.allows("/x", Permission.DELETE)).isTrue();

        PermissionRules rules = rules("/", "list");
        assertThatThrownBy(() -> rules.permissionsAt("/x").add(Permission.DELETE)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(rules.allows("/x", Permission.DELETE)).isFalse();
    }

    @Test
    void changingTheInputMapAfterwardsChangesNothing() {
        Map<String, List<String>> map = new LinkedHashMap<>();
        List<String> names = new ArrayList<>(List.of("list"));
        map.put("/", names);
        PermissionRules rules = PermissionRules.of(map);

        names.add("delete");
        map.put("/x", List.of("*"));

        assertThat(rules.permissionsAt("/x/y")).containsExactly(Permission.LIST);
    }

    // ---- trailing slashes ------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/inbox/", "/inbox//"})
    void aTrailingSlashInARulePathIsIgnored(String rulePath) {
        PermissionRules rules = rules("/", "list", rulePath, "upload");

        assertThat(rules.permissionsAt("/inbox")).containsExactly(Permission.UPLOAD);
        assertThat(rules.permissionsAt("/inbox/a")).containsExactly(Permission.UPLOAD);
        assertThat(rules.permissionsAt("/inbox/a/b")).containsExactly(Permission.UPLOAD);
        assertThat(rules.permissionsAt("/inboxes")).containsExactly(Permission.LIST);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/inbox/", "/inbox//", "/inbox/a/", "/inbox/a//"})
    void aTrailingSlashInAQueriedPathIsIgnored(String path) {
        PermissionRules rules = rules("/", "list", "/inbox", "upload");

        assertThat(rules.permissionsAt(path)).containsExactly(Permission.UPLOAD);
    }

    @Test
    void aQueriedPathWithATrailingSlashIsNotMistakenForAPrefix() {
        PermissionRules rules = rules("/inbox", "upload");

        assertThat(rules.permissionsAt("/inboxes/")).isEmpty();
        assertThat(rules.permissionsAt("/inbo/")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/", "//"})
    void theRootWrittenWithExtraSlashesIsStillTheRoot(String root) {
        PermissionRules rules = rules(root, "list", "/a", "upload");

        assertThat(rules.permissionsAt("/b")).containsExactly(Permission.LIST);
        assertThat(rules.permissionsAt(root)).containsExactly(Permission.LIST);
        assertThat(rules.permissionsAt("/a")).containsExactly(Permission.UPLOAD);
    }

    @Test
    void twoRulePathsThatDifferOnlyByATrailingSlashAreRefused() {
        // Otherwise which one wins would depend on the map's iteration order.
        Map<String, List<String>> map = new LinkedHashMap<>();
        map.put("/inbox", List.of("list"));
        map.put("/inbox/", List.of("upload"));

        assertThatThrownBy(() -> PermissionRules.of(map))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/inbox");
    }

    // ---- nesting ---------------------------------------------------------------------------

    @Test
    void threeLevelsOfNestedRulesEachGovernTheirOwnSubtree() {
        PermissionRules rules = rules(
                "/", "list",
                "/partners", "list,download",
                "/partners/acme", "list,download,upload",
                "/partners/acme/archive", "");

        assertThat(rules.permissionsAt("/")).containsExactly(Permission.LIST);
        assertThat(rules.permissionsAt("/readme.txt")).containsExactly(Permission.LIST);
        assertThat(rules.permissionsAt("/partners")).containsExactlyInAnyOrder(Permission.LIST, Permission.DOWNLOAD);
        assertThat(rules.permissionsAt("/partners/other/x")).containsExactlyInAnyOrder(Permission.LIST, Permission.DOWNLOAD);
        assertThat(rules.permissionsAt("/partners/acme")).containsExactlyInAnyOrder(Permission.LIST, Permission.DOWNLOAD, Permission.UPLOAD);
        assertThat(rules.permissionsAt("/partners/acme/in/x.csv"))
                .containsExactlyInAnyOrder(Permission.LIST, Permission.DOWNLOAD, Permission.UPLOAD);
        assertThat(rules.permissionsAt("/partners/acme/archive")).isEmpty();
        assertThat(rules.permissionsAt("/partners/acme/archive/2024/x.csv")).isEmpty();
        assertThat(rules.permissionsAt("/partners/acme/archives")).containsExactlyInAnyOrder(Permission.LIST, Permission.DOWNLOAD, Permission.UPLOAD);
        assertThat(rules.permissionsAt("/partners/acmecorp")).containsExactlyInAnyOrder(Permission.LIST, Permission.DOWNLOAD);
        assertThat(rules.permissionsAt("/partnership")).containsExactly(Permission.LIST);
    }

    @Test
    void aDeeperRuleWithAShorterTextThanASiblingStillWinsInsideItsOwnSubtree() {
        // "/a/b/c" is shorter than "/longname" but only the former governs /a/b/c/d.
        PermissionRules rules = rules("/longname", "delete", "/a/b/c", "mkdir", "/a", "list");

        assertThat(rules.permissionsAt("/a/b/c/d")).containsExactly(Permission.MKDIR);
        assertThat(rules.permissionsAt("/a/b")).containsExactly(Permission.LIST);
        assertThat(rules.permissionsAt("/longname/x")).containsExactly(Permission.DELETE);
    }

    // ---- refused input ---------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"LIST", "List", "read", "write", "", " list", "list ", "**", "all"})
    void anUnknownPermissionNameIsRefused(String name) {
        assertThatThrownBy(() -> PermissionRules.of(Map.of("/", List.of("list", name))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown permission");
    }

    @Test
    void aNullPermissionNameIsRefused() {
        assertThatThrownBy(() -> PermissionRules.of(Map.of("/", Arrays.asList("list", null))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"inbox", "", "inbox/a", " /inbox", "./inbox", "*"})
    void aRulePathWithoutALeadingSlashIsRefused(String path) {
        assertThatThrownBy(() -> PermissionRules.of(Map.of(path, List.of("list"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must start with '/'");
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"inbox", "", "inbox/a", "secret", " /secret"})
    void aQueriedPathWithoutALeadingSlashIsRefusedRatherThanJudgedByTheRootRule(String path) {
        // Judging "secret" by the root rule would grant what the "/secret" rule denies.
        PermissionRules rules = rules("/", "*", "/secret", "");

        assertThatThrownBy(() -> rules.allows(path, Permission.LIST)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> rules.permissionsAt(path)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- property: agrees with a plain reference -------------------------------------------

    private static final String[] SEGMENTS = {"a", "ab", "b", "ba", "inbox", "inboxes", "in", "x"};

    @Test
    void agreesWithASegmentBySegmentReferenceForRandomRulesAndPaths() {
        long seed = 20240601L;
        System.out.println("PermissionRulesTest property seed: " + seed);
        Random random = new Random(seed);
        int checks = 0;
        for (int round = 0; round < 500; round++) {
            Map<String, List<String>> map = new LinkedHashMap<>();
            int ruleCount = random.nextInt(6);
            for (int i = 0; i < ruleCount; i++) {
                String path = random.nextInt(5) == 0 ? "/" : randomPath(random, 1 + random.nextInt(3));
                map.putIfAbsent(path, randomNames(random));
            }
            PermissionRules rules = PermissionRules.of(map);
            for (int q = 0; q < 40; q++) {
                String path = random.nextInt(10) == 0 ? "/" : randomPath(random, 1 + random.nextInt(5));
                if (path.length() > 1 && random.nextInt(8) == 0) {
                    path = path + "/";
                }
                Set<Permission> expected = reference(map, path);
                assertThat(rules.permissionsAt(path)).as("seed %d round %d rules %s path %s", seed, round, map, path)
                        .isEqualTo(expected);
                for (Permission p : Permission.values()) {
                    assertThat(rules.allows(path, p)).as("seed %d round %d rules %s path %s %s", seed, round, map, path, p)
                            .isEqualTo(expected.contains(p));
                    checks++;
                }
            }
        }
        assertThat(checks).isEqualTo(500 * 40 * Permission.values().length);
    }

    private static String randomPath(Random random, int depth) {
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            path.append('/').append(SEGMENTS[random.nextInt(SEGMENTS.length)]);
        }
        return path.toString();
    }

    private static List<String> randomNames(Random random) {
        if (random.nextInt(8) == 0) {
            return List.of("*");
        }
        List<String> names = new ArrayList<>();
        for (Permission p : Permission.values()) {
            if (random.nextInt(3) == 0) {
                names.add(p.apiName());
            }
        }
        return names;
    }

    /** Every rule whose segments are a prefix of the path's segments; the one with most segments wins. */
    private static Set<Permission> reference(Map<String, List<String>> rules, String path) {
        List<String> pathSegments = segments(path);
        int best = -1;
        List<String> bestNames = null;
        for (Map.Entry<String, List<String>> rule : rules.entrySet()) {
            List<String> ruleSegments = segments(rule.getKey());
            boolean governs = ruleSegments.size() <= pathSegments.size()
                    && pathSegments.subList(0, ruleSegments.size()).equals(ruleSegments);
            if (governs && ruleSegments.size() > best) {
                best = ruleSegments.size();
                bestNames = rule.getValue();
            }
        }
        Set<Permission> result = EnumSet.noneOf(Permission.class);
        if (bestNames == null) {
            return result;
        }
        for (String name : bestNames) {
            if (name.equals("*")) {
                result.addAll(EnumSet.allOf(Permission.class));
            } else {
                result.add(Permission.valueOf(name.toUpperCase(java.util.Locale.ROOT)));
            }
        }
        return result;
    }

    private static List<String> segments(String path) {
        List<String> segments = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                segments.add(s);
            }
        }
        return segments;
    }

    @Test
    void grantsEverywhereOnlyWhenTheRootRuleAloneGrantsIt() {
        assertThat(PermissionRules.ALLOW_ALL.grantsEverywhere(Permission.DOWNLOAD)).isTrue();
        PermissionRules rootOnly = PermissionRules.of(Map.of("/", List.of("list", "upload")));
        assertThat(rootOnly.grantsEverywhere(Permission.UPLOAD)).isTrue();
        assertThat(rootOnly.grantsEverywhere(Permission.DOWNLOAD)).isFalse();
        PermissionRules nested = PermissionRules.of(Map.of("/", List.of("*"), "/private", List.of("list")));
        assertThat(nested.grantsEverywhere(Permission.DOWNLOAD)).isFalse();
        assertThat(nested.grantsEverywhere(Permission.LIST)).isFalse();
        assertThat(PermissionRules.of(Map.of("/inbox", List.of("*"))).grantsEverywhere(Permission.UPLOAD)).isFalse();
    }
}
