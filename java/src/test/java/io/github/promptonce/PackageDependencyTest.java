package io.github.promptonce;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The library's packages depend one way: API → sam → runtime → base (docs/architecture.md). Read from the sources:
 * every reference to another promptonce package (an import or a fully qualified name, comments excluded) must point
 * to a lower layer, so no package cycle can form.
 */
class PackageDependencyTest {
    private static final String ROOT = "io.github.promptonce";
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.github\\.promptonce((?:\\.[a-z][a-z0-9]*)*)\\.[A-Z]");

    /** Layer of each package: a package may use its own layer's other packages only where listed here as lower. */
    private static final Map<String, Integer> LAYER = Map.ofEntries(
            Map.entry("base", 0),
            Map.entry("memory", 0),
            Map.entry("volume", 1),
            Map.entry("model", 1),
            Map.entry("runtime", 1),
            Map.entry("metrics", 2),
            Map.entry("overlay", 2),
            Map.entry("phantom", 2),
            Map.entry("sam", 3),
            Map.entry("", 4)); // the API: io.github.promptonce

    @Test
    void everyReferencePointsDown() throws IOException {
        Map<String, Set<String>> uses = dependencies();
        assertEquals(new TreeSet<>(LAYER.keySet()), new TreeSet<>(uses.keySet()),
                "every package has a layer (add a new package to LAYER)");
        List<String> upward = new ArrayList<>();
        uses.forEach((from, targets) -> {
            for (String to : targets) {
                if (LAYER.get(to) >= LAYER.get(from)) {
                    upward.add(name(from) + " -> " + name(to));
                }
            }
        });
        assertEquals(List.of(), upward, "references that do not point to a lower layer");
    }

    @Test
    void theCoreRunsApiToSamToRuntime() throws IOException {
        Map<String, Set<String>> uses = dependencies();
        assertTrue(uses.get("").contains("sam"), "the API uses the SAM layer");
        assertTrue(uses.get("sam").contains("runtime"), "the SAM layer uses the runtime");
        assertTrue(!uses.get("runtime").contains("") && !uses.get("runtime").contains("sam"),
                "the runtime knows nothing of SAM or the API: " + uses.get("runtime"));
    }

    private static String name(String pkg) {
        return pkg.isEmpty() ? ROOT : ROOT + "." + pkg;
    }

    /** Package (relative to io.github.promptonce, "" for the root) → the other promptonce packages it references. */
    static Map<String, Set<String>> dependencies() throws IOException {
        // the library's sources: this module's when it is java/ (it has the module-info), else ../java/ (javacpp/)
        Path root = Files.isRegularFile(Path.of("src/main/java/module-info.java")) ? Path.of("src/main/java")
                : Path.of("../java/src/main/java");
        Path sources = root.resolve("io/github/promptonce");
        assertTrue(Files.isDirectory(sources), "the library's sources are not at " + sources.toAbsolutePath()
                + ": run from the java/ module");
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = sources.relativize(f.getParent()).toString().replace('/', '.');
                Set<String> targets = uses.computeIfAbsent(pkg, k -> new TreeSet<>());
                Matcher m = REFERENCE.matcher(withoutComments(Files.readString(f)));
                while (m.find()) {
                    String to = m.group(1).isEmpty() ? "" : m.group(1).substring(1);
                    if (!to.equals(pkg)) {
                        targets.add(to);
                    }
                }
            }
        }
        return uses;
    }

    private static String withoutComments(String java) {
        return java.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
    }
}
