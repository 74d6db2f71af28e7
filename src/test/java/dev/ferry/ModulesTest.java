package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.modulith.core.ApplicationModule;
import org.springframework.modulith.core.ApplicationModules;
import org.springframework.modulith.docs.Documenter;

/**
 * The module graph, checked and documented from the code. Every direct sub-package of {@code dev.ferry}
 * is a module (Spring Modulith); its public types are its API, its sub-packages ({@code storage.local},
 * {@code storage.s3}, the {@code sftp} parts) are internal. {@link #modulesHaveNoCyclesAndUseOnlyEachOthersApi()}
 * fails on a cycle or on a reach into another module's internals; the diagrams in {@code docs/modules/} are
 * generated here and must match the committed copy; the README's Layout names every module; and
 * docs/modules/README.md lists every place where one module's SQL names another module's tables.
 * <p>
 * After changing the graph on purpose: {@code mvn -Dtest=ModulesTest -Dmodules.docs.update=true test}
 * rewrites {@code docs/modules/}; commit what it wrote.
 */
class ModulesTest {

    static final ApplicationModules MODULES = ApplicationModules.of(FerryApplication.class);
    static final Path BASE = Path.of(System.getProperty("basedir", "."));
    static final Path DOCS = BASE.resolve("docs/modules");
    /** The hand-written page beside the generated files. */
    static final String OWN_PAGE = "README.md";

    @Test
    void modulesHaveNoCyclesAndUseOnlyEachOthersApi() {
        MODULES.verify();
    }

    @Test
    void everyTopLevelPackageIsAModule() throws IOException {
        Set<String> packages;
        try (Stream<Path> dirs = Files.list(BASE.resolve("src/main/java/dev/ferry"))) {
            packages = dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
        Set<String> modules = MODULES.stream().map(ApplicationModule::getName).collect(Collectors.toCollection(TreeSet::new));
        assertThat(modules).isEqualTo(packages).hasSizeGreaterThanOrEqualTo(12);
    }

    @Test
    void committedModuleDocsAreTheGeneratedOnes(@TempDir Path generated) throws IOException {
        Documenter.DiagramOptions diagrams = Documenter.DiagramOptions.defaults()
                .withStyle(Documenter.DiagramOptions.DiagramStyle.C4);
        new Documenter(MODULES, Documenter.Options.defaults().withOutputFolder(generated.toString()))
                .writeModulesAsPlantUml(diagrams)
                .writeIndividualModulesAsPlantUml(diagrams);
        try (Stream<Path> files = Files.list(generated)) {
            for (Path puml : files.filter(p -> p.toString().endsWith(".puml")).toList()) {
                Files.writeString(puml, sortedElements(Files.readString(puml)), StandardCharsets.UTF_8);
            }
        }
        Files.writeString(generated.resolve("modules.md"), overview(), StandardCharsets.UTF_8);

        List<String> stale = new ArrayList<>();
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.list(generated)) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString();
                names.add(name);
                Path committed = DOCS.resolve(name);
                if (!Files.exists(committed) || !Files.readString(committed).equals(Files.readString(file))) {
                    stale.add(name + (Files.exists(committed) ? " differs" : " is missing"));
                }
            }
        }
        if (Files.isDirectory(DOCS)) {
            try (Stream<Path> files = Files.list(DOCS)) {
                files.map(p -> p.getFileName().toString()).filter(n -> !names.contains(n) && !n.equals(OWN_PAGE))
                        .forEach(n -> stale.add(n + " is no longer generated"));
            }
        }
        if (stale.isEmpty()) {
            return;
        }
        if (Boolean.getBoolean("modules.docs.update")) {
            Files.createDirectories(DOCS);
            try (Stream<Path> files = Files.list(DOCS)) {
                for (Path old : files.filter(p -> !names.contains(p.getFileName().toString())
                        && !p.getFileName().toString().equals(OWN_PAGE)).toList()) {
                    Files.delete(old);
                }
            }
            for (String name : names) {
                Files.copy(generated.resolve(name), DOCS.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            fail("docs/modules/ was rewritten from the code (" + String.join(", ", stale) + "): review and commit it");
        }
        fail("docs/modules/ is not what the code generates: " + String.join(", ", stale) + ". If the module graph changed on "
                + "purpose, run `mvn -Dtest=ModulesTest -Dmodules.docs.update=true test` and commit docs/modules/");
    }

    @Test
    void readmeLayoutNamesEveryModule() throws IOException {
        String readme = Files.readString(BASE.resolve("README.md"));
        Matcher layout = Pattern.compile("(?s)## Layout\\R(.*?)\\R## ").matcher(readme);
        assertThat(layout.find()).as("README.md has a Layout section").isTrue();
        List<String> missing = MODULES.stream().map(ApplicationModule::getName)
                .filter(name -> !Pattern.compile("(?m)^  (\\S+/ )*" + name + "/").matcher(layout.group(1)).find())
                .toList();
        assertThat(missing).as("modules not named '  <module>/' (or among '  a/ b/ ...') at the start of a line of the README's Layout section").isEmpty();
        assertThat(layout.group(1)).contains("docs/modules/");
    }

    @Test
    void everySqlStatementThatCrossesModulesIsListed() throws IOException {
        CrossModuleSql sql = new CrossModuleSql(BASE.resolve("db/migration"), BASE.resolve("src/main/java/dev/ferry"));
        assertThat(sql.problems).isEmpty();
        String page = Files.readString(DOCS.resolve(OWN_PAGE));
        assertThat(listed(page, "### SQL that names another module's tables"))
                .as("(module, table) pairs in docs/modules/README.md's SQL section; found in the code: " + sql.statementCrossings())
                .isEqualTo(pairs(sql.statementCrossings()));
        assertThat(listed(page, "### Foreign keys between modules"))
                .as("(module, table) pairs in docs/modules/README.md's foreign keys section; found in the migrations: "
                        + sql.foreignKeyCrossings())
                .isEqualTo(pairs(sql.foreignKeyCrossings()));
        // the scan finds what it must: the session registry locks users' rows, the quota ledger reads their limits
        assertThat(pairs(sql.statementCrossings())).contains("sessions users", "quotas users");
    }

    /**
     * The diagram with each run of components and of relations sorted: the Documenter writes them in an order
     * that changes from run to run, and the committed copy must not.
     */
    static String sortedElements(String puml) {
        List<String> out = new ArrayList<>();
        List<String> run = new ArrayList<>();
        String runKind = null;
        for (String line : puml.split("\n", -1)) {
            String kind = line.trim().startsWith("Component(") ? "component" : line.startsWith("Rel(") ? "rel" : null;
            if (kind == null || !kind.equals(runKind)) {
                run.sort(null);
                out.addAll(run);
                run.clear();
            }
            runKind = kind;
            (kind == null ? out : run).add(line);
        }
        run.sort(null);
        out.addAll(run);
        return String.join("\n", out);
    }

    /** "module table" for each row of the Markdown table under {@code heading}: its first two cells, in backquotes. */
    private static Set<String> listed(String page, String heading) {
        int start = page.indexOf(heading);
        assertThat(start).as("docs/modules/README.md has the heading '" + heading + "'").isNotNegative();
        Set<String> pairs = new TreeSet<>();
        Pattern row = Pattern.compile("^\\| `([a-z]+)` \\| `([a-z0-9_]+)`");
        for (String line : page.substring(start + heading.length()).split("\\R")) {
            if (line.startsWith("#")) {
                break;
            }
            Matcher m = row.matcher(line);
            if (m.find()) {
                pairs.add(m.group(1) + " " + m.group(2));
            }
        }
        return pairs;
    }

    private static Set<String> pairs(Set<CrossModuleSql.Crossing> crossings) {
        return crossings.stream().map(c -> c.module() + " " + c.table()).collect(Collectors.toCollection(TreeSet::new));
    }

    /** A Markdown page GitHub renders: the graph as Mermaid and each module's direct dependencies and dependents. */
    static String overview() {
        List<ApplicationModule> modules = MODULES.stream().sorted(Comparator.comparing(ApplicationModule::getName)).toList();
        Map<String, Set<String>> dependencies = new TreeMap<>();
        Map<String, Set<String>> dependents = new TreeMap<>();
        for (ApplicationModule module : modules) {
            dependencies.put(module.getName(), new TreeSet<>());
            dependents.put(module.getName(), new TreeSet<>());
        }
        for (ApplicationModule module : modules) {
            module.getDirectDependencies(MODULES).uniqueModules().map(ApplicationModule::getName)
                    .filter(name -> !name.equals(module.getName()))
                    .forEach(name -> {
                        dependencies.get(module.getName()).add(name);
                        dependents.get(name).add(module.getName());
                    });
        }
        StringBuilder page = new StringBuilder();
        page.append("<!-- Generated by ModulesTest from the code (Spring Modulith's ApplicationModules); do not edit. -->\n")
                .append("# Ferry's modules\n\n")
                .append("Each arrow points from a module to one it uses. See [README.md](README.md) for how this is made and checked.\n\n")
                .append("```mermaid\nflowchart TD\n");
        dependencies.forEach((module, uses) -> uses.forEach(used -> page.append("  ").append(module).append(" --> ").append(used).append('\n')));
        page.append("```\n\n| module | base package | uses | used by |\n|---|---|---|---|\n");
        for (ApplicationModule module : modules) {
            page.append("| ").append(module.getName()).append(" | `").append(module.getBasePackage().getName()).append("` | ")
                    .append(list(dependencies.get(module.getName()))).append(" | ").append(list(dependents.get(module.getName())))
                    .append(" |\n");
        }
        return page.toString();
    }

    private static String list(Set<String> names) {
        return names.isEmpty() ? "-" : String.join(", ", names);
    }
}
