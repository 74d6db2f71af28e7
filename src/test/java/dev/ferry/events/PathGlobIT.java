package dev.ferry.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.shared.InvalidInputException;
import dev.ferry.testsupport.TestPostgres;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** Globs compiled by {@link PathGlob} as PostgreSQL matches them (the trigger's {@code ~}), with paths full of regex metacharacters. */
class PathGlobIT {

    static JdbcTemplate jdbc;

    @BeforeAll
    static void database() {
        TestPostgres.Database db = TestPostgres.get().newDatabase();
        jdbc = new JdbcTemplate(new DriverManagerDataSource(db.url(), db.username(), db.password()));
    }

    static boolean matches(String glob, String path) {
        return jdbc.queryForObject("select ? ~ ?", Boolean.class, path, PathGlob.toRegex(glob, "paths[0]"));
    }

    static void assertGlob(String glob, List<String> match, List<String> noMatch) {
        for (String path : match) {
            assertThat(matches(glob, path)).as(glob + " (" + PathGlob.toRegex(glob, "f") + ") matches " + path).isTrue();
        }
        for (String path : noMatch) {
            assertThat(matches(glob, path)).as(glob + " (" + PathGlob.toRegex(glob, "f") + ") does not match " + path).isFalse();
        }
    }

    @Test
    void starStaysWithinASegmentAndDoubleStarCrossesThem() {
        assertGlob("/inbox/**/*.csv", List.of("/inbox/a.csv", "/inbox/x/a.csv", "/inbox/x/y/z/a.csv", "/inbox/.csv"),
                List.of("/inbox/a.txt", "/inboxa.csv", "/other/inbox/a.csv", "/inbox/a.csv/b", "/inbox/a.csvx", "/inbox"));
        assertGlob("/in/*.csv", List.of("/in/a.csv", "/in/.csv"), List.of("/in/x/a.csv", "/in.csv", "/IN/a.csv"));
        assertGlob("/outbox/**", List.of("/outbox/a", "/outbox/a/b/c"), List.of("/outbox", "/outboxx/a", "/x/outbox/a"));
        assertGlob("/**", List.of("/a", "/a/b"), List.of("/"));
        assertGlob("/a?c", List.of("/abc", "/a.c"), List.of("/a/c", "/ac", "/abbc"));
        assertGlob("/a/**/b/**/c", List.of("/a/b/c", "/a/x/b/y/z/c"), List.of("/a/bc", "/a/b/x"));
    }

    @Test
    void characterClassesAreOneCharacterButNeverASlash() {
        assertGlob("/f[0-9].txt", List.of("/f1.txt", "/f9.txt"), List.of("/fa.txt", "/f10.txt", "/f.txt"));
        assertGlob("/f[!0-9].txt", List.of("/fa.txt", "/f-.txt"), List.of("/f1.txt", "/f/.txt"));
        assertGlob("/f[^a].txt", List.of("/fb.txt"), List.of("/fa.txt"));
        assertGlob("/[.$^\\]]x", List.of("/.x", "/$x", "/^x", "/]x"), List.of("/ax", "//x"));
        assertGlob("/[]a]", List.of("/]", "/a"), List.of("/b"));
        assertGlob("/[a-]", List.of("/a", "/-"), List.of("/b"));
        assertGlob("/[[:alpha:]]", List.of("/[]"), List.of("/a"));
    }

    @Test
    void everythingElseIsLiteralEvenRegexMetacharacters() {
        String weird = "/we.ird (1)+{2}$^|/a\\b'c\"d%_e";
        String glob = "/we.ird (1)+{2}$^|/a\\\\b'c\"d%_e";
        assertGlob(glob, List.of(weird), List.of("/weXird (1)+{2}$^|/a\\b'c\"d%_e", "/we.ird 1+{2}$^|/a\\b'c\"d%_e",
                "/we.ird (1)+{2}$^|/ab'c\"d%_e", "/we.ird (1)){2}$^|/a\\b'c\"d%_e"));
        assertGlob("/a\\*b", List.of("/a*b"), List.of("/axb", "/ab"));
        assertGlob("/a\\?b\\[c]", List.of("/a?b[c]"), List.of("/axb[c]", "/a?bc"));
        assertGlob("/données/über*.csv", List.of("/données/über-1.csv"), List.of("/donnees/über-1.csv"));
        assertGlob("/a.b", List.of("/a.b"), List.of("/axb"));
    }

    @Test
    void malformedGlobsAreRefusedNamingTheField() {
        for (String bad : List.of("in/*.csv", "", "/a[", "/a[!", "/a\\", "/a[]")) {
            assertThatThrownBy(() -> PathGlob.toRegex(bad, "paths[2]")).as(bad).isInstanceOf(InvalidInputException.class)
                    .hasMessageStartingWith("paths[2]").satisfies(e -> assertThat(((InvalidInputException) e).field()).isEqualTo("paths[2]"));
        }
    }
}
