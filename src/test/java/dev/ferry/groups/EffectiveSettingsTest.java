package dev.ferry.groups;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EffectiveSettingsTest {

    static Settings none() {
        return new Settings(Map.of(), 0, 0, List.of(), 0, 0, 0);
    }

    @Test
    void withoutUserOrGroupValuesEverythingIsTheDefault() {
        EffectiveSettings e = EffectiveSettings.of(none(), List.of());
        assertThat(e.permissions()).containsExactly(Map.entry("/", new Sourced<>(List.of("*"), "default")));
        assertThat(e.quota().maxBytes()).isEqualTo(new Sourced<>(0L, "default"));
        assertThat(e.allowedIps()).isEqualTo(new Sourced<>(List.of(), "default"));
        assertThat(e.maxSessions()).isEqualTo(new Sourced<>(0, "default"));
    }

    @Test
    void theUsersOwnValueWinsThenTheFirstGroupThatSetsIt() {
        Settings own = new Settings(Map.of(), 0, 7, List.of(), 0, 0, 0);
        GroupSettings a = new GroupSettings("a", new Settings(Map.of(), 100, 0, List.of(), 0, 0, 0));
        GroupSettings b = new GroupSettings("b", new Settings(Map.of(), 200, 9, List.of("10.0.0.0/8"), 3, 0, 50));
        EffectiveSettings e = EffectiveSettings.of(own, List.of(a, b));
        assertThat(e.quota().maxFiles()).isEqualTo(new Sourced<>(7L, "user"));
        assertThat(e.quota().maxBytes()).isEqualTo(new Sourced<>(100L, "group:a"));
        assertThat(e.allowedIps()).isEqualTo(new Sourced<>(List.of("10.0.0.0/8"), "group:b"));
        assertThat(e.maxSessions()).isEqualTo(new Sourced<>(3, "group:b"));
        assertThat(e.bandwidth().uploadBytesPerSecond()).isEqualTo(new Sourced<>(0L, "default"));
        assertThat(e.bandwidth().downloadBytesPerSecond()).isEqualTo(new Sourced<>(50L, "group:b"));
        // the order of the user's groups decides
        assertThat(EffectiveSettings.of(own, List.of(b, a)).quota().maxBytes()).isEqualTo(new Sourced<>(200L, "group:b"));
    }

    @Test
    void permissionsCombinePerPathTheUsersEntryWinningAndGroupsJoined() {
        Settings own = new Settings(Map.of("/own", List.of("list")), 0, 0, List.of(), 0, 0, 0);
        GroupSettings a = new GroupSettings("a", new Settings(Map.of("/", List.of("list"), "/in", List.of("upload"),
                "/own", List.of("*")), 0, 0, List.of(), 0, 0, 0));
        GroupSettings b = new GroupSettings("b", new Settings(Map.of("/in", List.of("list", "mkdir"), "/out", List.of("download")),
                0, 0, List.of(), 0, 0, 0));
        EffectiveSettings e = EffectiveSettings.of(own, List.of(a, b));
        assertThat(e.permissions()).containsOnlyKeys("/", "/in", "/out", "/own");
        assertThat(e.permissions().get("/own")).isEqualTo(new Sourced<>(List.of("list"), "user"));
        assertThat(e.permissions().get("/")).isEqualTo(new Sourced<>(List.of("list"), "group:a"));
        assertThat(e.permissions().get("/in")).isEqualTo(new Sourced<>(List.of("upload", "list", "mkdir"), "group:a,group:b"));
        assertThat(e.permissions().get("/out")).isEqualTo(new Sourced<>(List.of("download"), "group:b"));
        assertThat(e.permissionValues()).containsEntry("/in", List.of("upload", "list", "mkdir"));
    }

    @Test
    void aGroupGrantingEverythingAtAPathGivesJustTheWildcard() {
        GroupSettings a = new GroupSettings("a", new Settings(Map.of("/x", List.of("list")), 0, 0, List.of(), 0, 0, 0));
        GroupSettings b = new GroupSettings("b", new Settings(Map.of("/x", List.of("*")), 0, 0, List.of(), 0, 0, 0));
        assertThat(EffectiveSettings.of(none(), List.of(a, b)).permissions().get("/x").value()).containsExactly("*");
    }
}
