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
    void noAnalysisNamedIsThePotentialDeadlocksAlone() {
        assertEquals(new ReplayAnalysis.Analyses(true, false), parse("analyze", "t.insight").analyses());
        assertEquals(new ReplayAnalysis.Analyses(false, true), parse("analyze", "t.insight", "--functions").analyses());
        assertEquals(new ReplayAnalysis.Analyses(true, true), parse("analyze", "t.insight", "--functions",
                "--deadlocks", "--format", "json").analyses());
        assertEquals(new ReplayAnalysis.Analyses(false, true), parse("analyze", "t.insight", "--functions",
                "--format", "callgrind").analyses());
        assertEquals(new ReplayAnalysis.Analyses(false, true), parse("analyze", "t.insight", "--functions",
                "--format", "folded").analyses());
    }

    @Test
    void namedSourceFilesImplyTheProfile() {
        assertEquals(new ReplayAnalysis.Analyses(false, true, FunctionScope.inFiles(List.of("calls.c", "src/x.c"))),
                parse("analyze", "t.insight", "--functions-in", "calls.c,src/x.c").analyses());
        assertEquals(new ReplayAnalysis.Analyses(true, true, FunctionScope.inFiles(List.of("a.c", "b.c"))), parse(
                "analyze", "t.insight", "--deadlocks", "--functions-in", "a.c", "--functions-in", "b.c").analyses());
        assertEquals(FunctionScope.ALL, parse("analyze", "t.insight", "--functions").analyses().scope());
    }

    @Test
    void theProfileFormatsNeedTheProfileAndOnlyIt() {
        UserError e = assertThrows(UserError.class, () -> parse("analyze", "t.insight", "--format", "callgrind")
                .analyses());
        assertEquals("--format callgrind is a function profile's format: add --functions", e.getMessage());
        e = assertThrows(UserError.class, () -> parse("analyze", "t.insight", "--functions", "--deadlocks",
                "--format", "folded").analyses());
        assertEquals("--format folded holds only the function profile: leave out --deadlocks", e.getMessage());
        e = assertThrows(UserError.class, () -> parse("analyze", "t.insight", "--functions", "--format", "sarif")
                .analyses());
        assertTrue(e.getMessage().startsWith("--format sarif holds only potential deadlocks"), e.getMessage());
    }

    @Test
    void helpNamesTheProfileAndItsFormats() {
        CommandLineTest.Outcome o = CommandLineTest.insight("analyze", "--help");
        assertEquals(0, o.status());
        String help = o.out().replaceAll("\\s+", " ");
        assertTrue(help.contains("--functions"), help);
        assertTrue(help.contains("--format=text|json|sarif|callgrind|folded"), help);
        assertTrue(help.contains("a callgrind.out file for KCachegrind"), help);
    }
}
