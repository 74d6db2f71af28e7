package dev.ferry.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.shared.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RetentionPathTest {

    @ParameterizedTest
    @CsvSource({
            "/outbox/**, /outbox/a.txt, true",
            "/outbox/**, /outbox/x/y/z.bin, true",
            "/outbox/**, /outboxes/a.txt, false",
            "/outbox/**, /inbox/outbox/a.txt, false",
            "/outbox, /outbox/x/a.txt, true",
            "/outbox/, /outbox/a.txt, true",
            "/outbox/*.csv, /outbox/a.csv, true",
            "/outbox/*.csv, /outbox/x/a.csv, false",
            "/outbox/**/*.csv, /outbox/a.csv, true",
            "/outbox/**/*.csv, /outbox/x/y/a.csv, true",
            "/outbox/**/*.csv, /outbox/x/a.txt, false",
            "/partners/*/out/**, /partners/acme/out/a, true",
            "/partners/*/out/**, /partners/acme/in/a, false",
            "/partners/*/out/**, /partners/a/b/out/a, false",
            "/f?.txt, /f1.txt, true",
            "/f?.txt, /f12.txt, false",
            "/, /anything/at/all, true",
            "/**, /x, true"})
    void matchesWithinAndAcrossSegments(String glob, String path, boolean matches) {
        assertThat(RetentionPath.parse(glob).matches(path)).isEqualTo(matches);
    }

    @ParameterizedTest
    @CsvSource({
            "/outbox/**, /outbox",
            "/outbox, /outbox",
            "/outbox/*.csv, /outbox",
            "/partners/*/out/**, /partners",
            "/a/b/c, /a/b/c",
            "/**, /",
            "/*.csv, /"})
    void theWalkStartsAtTheLeadingPartWithoutWildcards(String glob, String base) {
        assertThat(RetentionPath.parse(glob).base()).isEqualTo(base);
    }

    @Test
    void directoriesThatCannotHoldAMatchAreSkipped() {
        RetentionPath path = RetentionPath.parse("/partners/*/out/**");
        assertThat(path.couldContain("/partners/acme")).isTrue();
        assertThat(path.couldContain("/partners/acme/out/deep")).isTrue();
        assertThat(path.couldContain("/partners/acme/in")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "outbox/**", "./outbox", "/outbox/../etc", "/outbox/./x", "/..", "/a//b", "/a**", "/a/**b/c",
            "/x/{name}", "/x\\y", "/x\u0000y", "/x\ny", "/x\ud800", "/\udc00x"})
    void refusesWhatIsNotAnAbsoluteConfinedGlobNamingThePath(String glob) {
        assertThatThrownBy(() -> RetentionPath.parse(glob)).isInstanceOf(InvalidInputException.class)
                .satisfies(e -> assertThat(((InvalidInputException) e).field()).isEqualTo("path"));
    }

    @Test
    void refusesAMissingOrOverlongPath() {
        assertThatThrownBy(() -> RetentionPath.parse(null)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> RetentionPath.parse("/" + "a".repeat(RetentionPath.MAX_LENGTH))).isInstanceOf(InvalidInputException.class);
    }
}
