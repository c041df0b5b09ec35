package org.insight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * Every command the README names as {@code ./insight NAME} exists: either a source-tree command of the launcher
 * (a {@code cmd_NAME} function) or one of the engine's, which then answers {@code NAME --help} with status 0.
 */
class ReadmeCommandsTest {
    private static final Pattern NAMED = Pattern.compile("\\./insight ([a-z][a-z-]*)");

    static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("README.md")) && Files.isRegularFile(p.resolve("insight"))) {
                return p;
            }
        }
        throw new AssertionError("no repository root (README.md and insight) above " + Path.of("").toAbsolutePath());
    }

    @Test
    void everyCommandTheReadmeNamesRuns() throws IOException {
        Path root = repoRoot();
        String readme = Files.readString(root.resolve("README.md"));
        String launcher = Files.readString(root.resolve("insight"));
        Set<String> named = new TreeSet<>();
        Matcher m = NAMED.matcher(readme);
        while (m.find()) {
            named.add(m.group(1));
        }
        assertTrue(named.containsAll(Set.of("demo", "test", "record", "replay", "info", "run", "bench")), named
                .toString());
        for (String name : named) {
            if (launcher.contains("\ncmd_" + name + "() {")) {
                continue;
            }
            CommandLineTest.Outcome o = CommandLineTest.insight(name, "--help");
            assertEquals(0, o.status(), "./insight " + name + " --help: " + o.err());
            assertTrue(o.out().contains("Usage: insight " + name), o.out());
        }
    }

    @Test
    void theEngineCommandsKnowTheVmChoice() {
        for (String name : new String[] { "run", "record", "replay", "analyze", "bench", "demo" }) {
            CommandLineTest.Outcome o = CommandLineTest.insight(name, "--help");
            assertTrue(o.out().contains("--vm"), name + ": " + o.out());
        }
        assertFalse(CommandLineTest.insight("info", "--help").out().contains("--vm"), "info needs no machine");
    }
}
