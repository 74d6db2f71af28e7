package dev.ferry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Which module's SQL names which other module's tables, read from the code: the tables come from the
 * Flyway migrations, a table belongs to the module that maps it with JPA or inserts its rows, and a
 * module uses a table when one of its string literals names it after {@code from}, {@code join},
 * {@code into}, {@code update} or {@code table}. Foreign keys between tables of different modules
 * come from the migrations. {@link ModulesTest} checks that docs/modules/README.md lists each
 * crossing, so a reader finds the couplings that no import shows.
 */
final class CrossModuleSql {

    /** A module's SQL naming a table that another module owns (or a foreign key from one's table to the other's). */
    record Crossing(String module, String table, String owner) {

        @Override
        public String toString() {
            return module + " -> " + table + " (of " + owner + ")";
        }
    }

    private static final Pattern CREATE_TABLE = Pattern.compile("(?i)create\\s+table\\s+(?:if\\s+not\\s+exists\\s+)?([a-z_][a-z0-9_]*)");
    private static final Pattern NAMED = Pattern.compile("\\b(?:from|join|into|update|table)\\s+(?:only\\s+)?([a-z_][a-z0-9_]*)");
    private static final Pattern INSERT = Pattern.compile("\\binsert\\s+into\\s+([a-z_][a-z0-9_]*)");
    private static final Pattern JPA_TABLE = Pattern.compile("@(?:Table|CollectionTable)\\s*\\(\\s*name\\s*=\\s*\"([a-z_][a-z0-9_]*)\"");
    private static final Pattern REFERENCES = Pattern.compile("\\breferences\\s+([a-z_][a-z0-9_]*)");
    private static final Pattern ALTER_TABLE = Pattern.compile("\\balter\\s+table\\s+([a-z_][a-z0-9_]*)");

    final Set<String> tables = new TreeSet<>();
    /** Table -> the module that owns it. */
    final Map<String, String> owners = new TreeMap<>();
    /** Table -> module -> the source files whose SQL names it. */
    final Map<String, Map<String, Set<String>>> uses = new TreeMap<>();
    final List<String> problems = new ArrayList<>();
    private final List<String> statements = new ArrayList<>();

    CrossModuleSql(Path migrations, Path sources) {
        for (Path migration : files(migrations, ".sql")) {
            String sql = stripSqlComments(read(migration)).toLowerCase(Locale.ROOT);
            Matcher created = CREATE_TABLE.matcher(sql);
            while (created.find()) {
                tables.add(created.group(1));
            }
            statements.addAll(List.of(sql.split(";")));
        }
        for (Path source : files(sources, ".java")) {
            Path relative = sources.relativize(source);
            if (relative.getNameCount() < 2) {
                continue; // FerryApplication: no module
            }
            String module = relative.getName(0).toString();
            String code = read(source);
            String literals = String.join(" ", stringLiterals(code)).toLowerCase(Locale.ROOT);
            own(module, INSERT.matcher(literals), relative);
            own(module, JPA_TABLE.matcher(code), relative);
            Matcher named = NAMED.matcher(literals);
            while (named.find()) {
                if (tables.contains(named.group(1))) {
                    uses.computeIfAbsent(named.group(1), t -> new TreeMap<>())
                            .computeIfAbsent(module, m -> new TreeSet<>()).add(relative.toString());
                }
            }
        }
        for (String table : tables) {
            if (!owners.containsKey(table)) {
                problems.add("no module maps or inserts into table " + table + " (a table no code writes: drop it in a migration)");
            }
        }
    }

    /** SQL of one module naming another module's tables. */
    Set<Crossing> statementCrossings() {
        Set<Crossing> crossings = new TreeSet<>(java.util.Comparator.comparing(Crossing::toString));
        uses.forEach((table, byModule) -> byModule.keySet().stream()
                .filter(module -> !module.equals(owners.get(table)))
                .forEach(module -> crossings.add(new Crossing(module, table, owners.get(table)))));
        return crossings;
    }

    /** Foreign keys from one module's table to another's: {@code module} owns the referencing table. */
    Set<Crossing> foreignKeyCrossings() {
        Set<Crossing> crossings = new TreeSet<>(java.util.Comparator.comparing(Crossing::toString));
        for (String statement : statements) {
            Matcher table = CREATE_TABLE.matcher(statement);
            Matcher altered = ALTER_TABLE.matcher(statement);
            String from = table.find() ? table.group(1) : altered.find() ? altered.group(1) : null;
            if (from == null) {
                continue;
            }
            Matcher references = REFERENCES.matcher(statement);
            while (references.find()) {
                String owner = owners.get(references.group(1));
                String module = owners.get(from);
                if (owner != null && module != null && !owner.equals(module)) {
                    crossings.add(new Crossing(module, references.group(1), owner));
                }
            }
        }
        return crossings;
    }

    private void own(String module, Matcher tableNames, Path file) {
        while (tableNames.find()) {
            String table = tableNames.group(1);
            if (!tables.contains(table)) {
                continue;
            }
            String previous = owners.putIfAbsent(table, module);
            if (previous != null && !previous.equals(module)) {
                problems.add("table " + table + " is written by two modules, " + previous + " and " + module + " (" + file
                        + "): one module owns a table, the other asks it");
            }
        }
    }

    /** The contents of the string literals and text blocks of Java source, comments and char literals skipped. */
    static List<String> stringLiterals(String code) {
        List<String> literals = new ArrayList<>();
        int i = 0;
        while (i < code.length()) {
            char c = code.charAt(i);
            if (code.startsWith("//", i)) {
                i = endOf(code, "\n", i + 2);
            } else if (code.startsWith("/*", i)) {
                i = endOf(code, "*/", i + 2);
            } else if (code.startsWith("\"\"\"", i)) {
                int end = code.indexOf("\"\"\"", i + 3);
                end = end < 0 ? code.length() : end;
                literals.add(code.substring(i + 3, end));
                i = end + 3;
            } else if (c == '"' || c == '\'') {
                StringBuilder literal = new StringBuilder();
                int j = i + 1;
                while (j < code.length() && code.charAt(j) != c) {
                    if (code.charAt(j) == '\\' && j + 1 < code.length()) {
                        literal.append(code.charAt(j));
                        j++;
                    }
                    literal.append(code.charAt(j));
                    j++;
                }
                if (c == '"') {
                    literals.add(literal.toString());
                }
                i = j + 1;
            } else {
                i++;
            }
        }
        return literals;
    }

    private static int endOf(String code, String marker, int from) {
        int end = code.indexOf(marker, from);
        return end < 0 ? code.length() : end + marker.length();
    }

    private static String stripSqlComments(String sql) {
        return sql.replaceAll("--[^\n]*", " ").replaceAll("(?s)/\\*.*?\\*/", " ");
    }

    private static List<Path> files(Path root, String suffix) {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
