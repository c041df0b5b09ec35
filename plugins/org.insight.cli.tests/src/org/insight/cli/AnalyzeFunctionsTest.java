package org.insight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import org.insight.analysis.ReplayAnalysis;
import org.insight.analysis.profile.FunctionScope;
import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/** {@code insight analyze --functions} and the profile formats (no machine). */
class AnalyzeFunctionsTest {
    private static AnalyzeCommand parse(String... args) {
        CommandLine cl = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        return (AnalyzeCommand) cl.parseArgs(args).subcommand().commandSpec().userObject();
    }

    @Test
    void theFunctionProfileRunsOnlyWhenNamed() {
        assertEquals(ReplayAnalysis.DEFAULT, parse("analyze", "t.insight").selected());
        assertEquals(List.of("functions"), parse("analyze", "t.insight", "--functions").selected());
        assertEquals(List.of("deadlocks", "functions"), parse("analyze", "t.insight", "--functions", "--deadlocks",
                "--format", "json").selected());
        assertEquals(List.of("functions"), parse("analyze", "t.insight", "--functions", "--format", "callgrind")
                .selected());
        assertEquals(List.of("functions"), parse("analyze", "t.insight", "--functions", "--format", "folded")
                .selected());
    }

    @Test
    void namedSourceFilesImplyTheProfile() {
        AnalyzeCommand c = parse("analyze", "t.insight", "--functions-in", "calls.c,src/x.c");
        assertEquals(List.of("functions"), c.selected());
        assertEquals(FunctionScope.inFiles(List.of("calls.c", "src/x.c")), c.scope());
        c = parse("analyze", "t.insight", "--deadlocks", "--functions-in", "a.c", "--functions-in", "b.c");
        assertEquals(List.of("deadlocks", "functions"), c.selected());
        assertEquals(FunctionScope.inFiles(List.of("a.c", "b.c")), c.scope());
        assertEquals(FunctionScope.ALL, parse("analyze", "t.insight", "--functions").scope());
    }

    @Test
    void theProfileFormatsNeedTheProfileAndOnlyIt() {
        UserError e = assertThrows(UserError.class, () -> parse("analyze", "t.insight", "--format", "callgrind")
                .checkFormat());
        assertEquals("--format callgrind is a function profile's format: add --functions", e.getMessage());
        e = assertThrows(UserError.class, () -> parse("analyze", "t.insight", "--functions", "--deadlocks",
                "--format", "folded").checkFormat());
        assertEquals("--format folded holds only the function profile: leave out --deadlocks", e.getMessage());
        e = assertThrows(UserError.class, () -> parse("analyze", "t.insight", "--functions", "--format", "sarif")
                .checkFormat());
        assertTrue(e.getMessage().startsWith("--format sarif holds only potential deadlocks"), e.getMessage());
    }

    @Test
    void sarifNeverDropsAProfileSilently() {
        UserError e = assertThrows(UserError.class, () -> parse("analyze", "t.insight", "--deadlocks", "--locks",
                "--format", "sarif").checkFormat());
        assertEquals("--format sarif holds only the deadlock findings: leave out --locks, or use --format text or json"
                + " for the profiles", e.getMessage());
        e = assertThrows(UserError.class, () -> parse("analyze", "t.insight", "--deadlocks", "--functions",
                "--format", "sarif").checkFormat());
        assertTrue(e.getMessage().contains("leave out --functions"), e.getMessage());
        // without an analysis option, SARIF runs the deadlock analysis alone: the lock profile would be lost
        assertEquals(List.of("deadlocks"), parse("analyze", "t.insight", "--format", "sarif").selected());
        assertEquals(List.of("deadlocks", "locks"), parse("analyze", "t.insight").selected());
    }

    @Test
    void helpNamesTheProfileAndItsFormats() {
        CommandLineTest.Outcome o = CommandLineTest.insight("analyze", "--help");
        assertEquals(0, o.status());
        String help = o.out().replaceAll("\\s+", " ");
        assertTrue(help.contains("--functions"), help);
        assertTrue(help.contains("--format=text|json|sarif|callgrind|folded"), help);
        assertTrue(help.contains("file for KCachegrind, QCachegrind and callgrind_annotate"), help);
    }
}
