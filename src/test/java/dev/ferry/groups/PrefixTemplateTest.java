package dev.ferry.groups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.shared.InvalidInputException;
import org.junit.jupiter.api.Test;

class PrefixTemplateTest {

    @Test
    void theUsernameIsPutInPlace() {
        assertThat(PrefixTemplate.expand("partners/{username}/", "acme")).isEqualTo("partners/acme/");
        assertThat(PrefixTemplate.expand("partners/{username}-in/", "a.b_c-d")).isEqualTo("partners/a.b_c-d-in/");
        assertThat(PrefixTemplate.expand("shared/", "acme")).isEqualTo("shared/");
        assertThat(PrefixTemplate.expand(null, "acme")).isNull();
    }

    @Test
    void namesThatCouldLeaveThePrefixAreRefused() {
        for (String name : new String[] {".", "..", "..x", ".x", "x/..", "a/b", "a\\b", "x..y",
                "\u2024\u2024", "\uFF0E\uFF0E", "x\u2025", "\uFE52\uFE52x", "\u00e9t\u00e9", "a\u0000b", ""}) {
            assertThatThrownBy(() -> PrefixTemplate.expand("partners/{username}/", name)).as(name)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void templatesWithDotSegmentsOrOtherPlaceholdersAreRefused() {
        for (String template : new String[] {"partners/../{username}/", "../{username}", "{username}/..", "./{username}/",
                "partners//{username}/", "/partners/{username}/", "partners\\{username}", "partners/{user}/",
                "partners/{username}/{date}/", "partners/{username", "a\nb/{username}/"}) {
            assertThatThrownBy(() -> PrefixTemplate.check(template)).as(template).isInstanceOf(InvalidInputException.class)
                    .satisfies(e -> assertThat(((InvalidInputException) e).field()).isEqualTo("storage.prefix"));
        }
        // ".." inside a segment is a name, not a step up
        assertThat(PrefixTemplate.check("partners..old/{username}/")).isEqualTo("partners..old/{username}/");
    }
}
