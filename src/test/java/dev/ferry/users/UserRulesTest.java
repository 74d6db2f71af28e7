package dev.ferry.users;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.shared.InvalidInputException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What a user may look like: usernames, passwords, limits, permissions, allowed IPs. */
class UserRulesTest {

    // ---- usernames -------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ab", "acme", "Acme-Corp_2", "a.b", "0day", "x1.y2_z3-w4"})
    void acceptsUsernamesOf2To64LettersDigitsDotsUnderscoresAndDashes(String username) {
        assertThat(UserRules.username(username)).isEqualTo(username);
    }

    @Test
    void acceptsAUsernameOfExactly64Characters() {
        String name = "a".repeat(64);
        assertThat(UserRules.username(name)).isEqualTo(name);
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"a", "../etc", "a/b", "/root", "..", "a..b", "-abc", ".hidden", "_x", "a b", "a\\b", "acme\u0000",
            "caf\u00e9", "a:b", "a@b", "a*"})
    void refusesUsernamesThatCouldEscapeTheHomeOrBreakTools(String username) {
        invalid("username", () -> UserRules.username(username))
                .hasMessageContaining("use 2 to 64 characters from A-Z a-z 0-9 . _ -, starting with a letter or digit, without '..'");
    }

    @Test
    void refusesAUsernameOf65Characters() {
        invalid("username", () -> UserRules.username("a".repeat(65))).hasMessageContaining("2 to 64 characters");
    }

    @Test
    void requiresAUsername() {
        invalid("username", () -> UserRules.username(null)).hasMessage("username is required");
        invalid("username", () -> UserRules.username("  ")).hasMessage("username is required");
    }

    @Test
    void showsControlCharactersOfARefusedUsernameAsQuestionMarks() {
        invalid("username", () -> UserRules.username("a\u001b[2Jb")).hasMessageContaining("'a?[2Jb'");
    }

    // ---- passwords and limits --------------------------------------------------------------

    @Test
    void passwordsNeed8To1024CharactersAndMayBeAbsent() {
        UserRules.password(null);
        UserRules.password("12345678");
        UserRules.password("x".repeat(1024));
        invalid("password", () -> UserRules.password("1234567")).hasMessage("password must have 8 to 1024 characters");
        invalid("password", () -> UserRules.password("x".repeat(1025))).hasMessage("password must have 8 to 1024 characters");
    }

    @Test
    void limitsAreZeroForUnlimitedAndRefuseNegativeValues() {
        assertThat(UserRules.nonNegative("quota.maxBytes", null)).isZero();
        assertThat(UserRules.nonNegative("quota.maxBytes", 0L)).isZero();
        assertThat(UserRules.nonNegative("quota.maxBytes", Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
        invalid("quota.maxFiles", () -> UserRules.nonNegative("quota.maxFiles", -1L))
                .hasMessage("quota.maxFiles must be 0 (unlimited) or more, not -1");
    }

    // ---- allowed IPs -----------------------------------------------------------------------

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "203.0.113.7, 203.0.113.7",
            "203.0.113.7/32, 203.0.113.7",
            "' 203.0.113.0/24 ', 203.0.113.0/24",
            "0.0.0.0/0, 0.0.0.0/0",
            "10.0.0.0/8, 10.0.0.0/8",
            "2001:db8::1, 2001:db8:0:0:0:0:0:1",
            "2001:DB8::/32, 2001:db8:0:0:0:0:0:0/32",
            "::1/128, 0:0:0:0:0:0:0:1",
            "::/0, 0:0:0:0:0:0:0:0/0",
            // IPv4-mapped IPv6 is the IPv4 address, so that it matches the IPv4 rule
            "::ffff:203.0.113.7, 203.0.113.7",
            "::ffff:203.0.113.0/120, 203.0.113.0/24",
            "::ffff:10.0.0.0/104, 10.0.0.0/8",
            "::ffff:10.1.2.3/128, 10.1.2.3",
    })
    void normalisesAddressesAndCidrs(String given, String normalised) {
        assertThat(UserRules.cidr(given)).isEqualTo(normalised);
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"300.1.1.1", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/", "10.0.0.0/abc", "10.0.0.0/8/8",
            "hostname.example", "localhost", "1.2.3", "1.2.3.4.5", "2001:db8::/129", "2001:db8:::1", "fe80::1%eth0",
            "::ffff:10.0.0.0/95", "1.2.3.4\u0000", "", " ", "10.0.0.0/99999999999"})
    void refusesWhatIsNotAnAddressOrCidrWithoutLookingItUp(String cidr) {
        invalid("allowedIps", () -> UserRules.cidr(cidr))
                .hasMessageContaining("is not an IP address or CIDR: use e.g. 203.0.113.7, 203.0.113.0/24 or 2001:db8::/32");
    }

    @Test
    void refusesANullAllowedIp() {
        invalid("allowedIps", () -> UserRules.allowedIps(java.util.Arrays.asList("10.0.0.1", null)))
                .hasMessageContaining("'null' is not an IP address or CIDR");
    }

    @Test
    void noAllowedIpsMeansAny() {
        assertThat(UserRules.allowedIps(null)).isEmpty();
        assertThat(UserRules.allowedIps(List.of())).isEmpty();
        assertThat(UserRules.allowedIps(List.of("10.0.0.1", "2001:db8::/32")))
                .containsExactly("10.0.0.1", "2001:db8:0:0:0:0:0:0/32");
    }

    // ---- permissions -----------------------------------------------------------------------

    @Test
    void noPermissionsMeansEverythingEverywhere() {
        assertThat(UserRules.permissions(null)).containsExactly(Map.entry("/", "*"));
        assertThat(UserRules.permissions(Map.of())).containsExactly(Map.entry("/", "*"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "/, /",
            "//, /",
            "/., /",
            "/inbox, /inbox",
            "/inbox/, /inbox",
            "//inbox//a/, /inbox/a",
            "/inbox/./a, /inbox/a",
            "/in box/ü, /in box/ü",
    })
    void normalisesPermissionPathsToSlashSeparatedSegments(String path, String normalised) {
        assertThat(UserRules.permissionPath(path)).isEqualTo(normalised);
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"inbox", "", "./inbox", "~/inbox"})
    void refusesPermissionPathsNotStartingWithSlash(String path) {
        invalid("permissions", () -> UserRules.permissionPath(path)).hasMessage("permission path '" + path + "' must start with '/'");
    }

    @Test
    void refusesPermissionPathsWithDotDotOrNulOrTooLong() {
        invalid("permissions", () -> UserRules.permissionPath("/inbox/../etc")).hasMessageContaining("must not contain '..'");
        invalid("permissions", () -> UserRules.permissionPath("/a\u0000b")).hasMessageContaining("contains a NUL character");
        invalid("permissions", () -> UserRules.permissionPath("/" + "a".repeat(4096))).hasMessageContaining("too long");
    }

    @Test
    void keepsKnownPermissionNamesWithoutDuplicates() {
        Map<String, List<String>> given = new LinkedHashMap<>();
        given.put("/", List.of("list", "download", "list"));
        given.put("/inbox/", List.of("list", "upload", "overwrite", "delete", "rename", "mkdir", "rmdir", "symlink", "setstat"));
        given.put("/all", List.of("*"));
        given.put("/none", List.of());
        assertThat(UserRules.permissions(given)).containsExactly(
                Map.entry("/", "list,download"),
                Map.entry("/inbox", "list,upload,overwrite,delete,rename,mkdir,rmdir,symlink,setstat"),
                Map.entry("/all", "*"),
                Map.entry("/none", ""));
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"read", "LIST", "write", " list", "all", ""})
    void refusesUnknownPermissionNamesAndListsTheKnownOnes(String name) {
        invalid("permissions", () -> UserRules.permissions(Map.of("/inbox", List.of("list", name))))
                .hasMessageContaining("unknown permission '" + name + "' for '/inbox'")
                .hasMessageContaining("use *, list, download, upload, overwrite, delete, rename, mkdir, rmdir, symlink, setstat");
    }

    @Test
    void refusesANullPermissionListOrName() {
        Map<String, List<String>> nullList = new LinkedHashMap<>();
        nullList.put("/inbox", null);
        invalid("permissions", () -> UserRules.permissions(nullList)).hasMessageContaining("must be a list");
        invalid("permissions", () -> UserRules.permissions(Map.of("/inbox", java.util.Arrays.asList("list", null))))
                .hasMessageContaining("unknown permission 'null'");
    }

    @Test
    void refusesTheSamePathTwiceAfterNormalisation() {
        Map<String, List<String>> given = new LinkedHashMap<>();
        given.put("/inbox", List.of("list"));
        given.put("/inbox/", List.of("upload"));
        invalid("permissions", () -> UserRules.permissions(given)).hasMessage("the path '/inbox' is given twice");
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> invalid(String field,
            org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        return assertThatThrownBy(call)
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo(field));
    }
}
