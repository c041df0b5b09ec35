package org.insight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import org.insight.analysis.ReplayAnalysis;
import org.insight.analysis.locks.Column;
import org.insight.analysis.locks.LockProfile;
import org.junit.jupiter.api.Test;

/** {@code analyze}'s choice of analyzers and the lock profile's --sort and --top (no machine: refused before one). */
class AnalyzeOptionsTest {
    private static AnalyzeCommand parse(String... args) {
        picocli.CommandLine cl = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(
                new StringWriter()));
        return (AnalyzeCommand) cl.parseArgs(args).subcommand().commandSpec().userObject();
    }

    @Test
    void withoutAnAnalysisOptionEveryAnalyzerRuns() {
        assertEquals(ReplayAnalysis.DEFAULT, parse("analyze", "t.insight").selected());
        assertEquals(List.of("locks"), parse("analyze", "t.insight", "--locks").selected());
        assertEquals(List.of("deadlocks"), parse("analyze", "t.insight", "--deadlocks").selected());
        assertEquals(List.of("deadlocks", "locks"), parse("analyze", "--locks", "--deadlocks", "t.insight")
                .selected());
    }

    @Test
    void sortAndTopOrderTheLockProfile() {
        AnalyzeCommand a = parse("analyze", "t.insight", "--locks", "--sort", "wait-total", "--top", "3");
        assertEquals(Column.WAIT_TOTAL, a.lockOrder());
        assertEquals(3, a.lockTop());
        AnalyzeCommand d = parse("analyze", "t.insight");
        assertEquals(LockProfile.DEFAULT_ORDER, d.lockOrder());
        assertEquals(0, d.lockTop(), "all locks");
    }

    @Test
    void aWrongColumnOrCountIsOneLineNamingTheOptionAndWhatItTakes() {
        CommandLineTest.Outcome o = CommandLineTest.insight("analyze", "--vm", "nested", "no-such.insight", "--sort",
                "waittime");
        assertEquals(2, o.status());
        assertEquals("insight: --sort waittime: no such column of the lock profile; the columns are acquisitions,"
                + " contended, failed-trylocks, wait-total, wait-max, wait-mean, hold-total, hold-max, hold-mean,"
                + " held-at-exit", o.err().strip());
        for (String bad : List.of("0", "-2", "ten", "")) {
            o = CommandLineTest.insight("analyze", "--vm", "nested", "no-such.insight", "--top", bad);
            assertEquals(2, o.status(), bad);
            assertEquals("insight: --top " + bad + ": not a number of locks; give a whole number from 1 up", o.err()
                    .strip());
        }
        o = CommandLineTest.insight("analyze", "--vm", "nested", "no-such.insight", "--deadlocks", "--sort",
                "hold-total");
        assertEquals(2, o.status());
        assertEquals("insight: --sort orders the lock profile, which does not run when other analyses are named without it: add --locks",
                o.err().strip());
        assertThrows(UserError.class, () -> parse("analyze", "t.insight", "--top", "1x").lockTop());
    }

    @Test
    void helpNamesTheColumns() {
        CommandLineTest.Outcome o = CommandLineTest.insight("analyze", "--help");
        assertEquals(0, o.status());
        String help = o.out().replaceAll("\\s+", " ");
        assertTrue(help.contains("--locks"), help);
        assertTrue(help.contains("--sort=COLUMN"), help);
        assertTrue(help.contains("--top=N"), help);
        for (String c : Column.labels()) {
            assertTrue(help.contains(c), c);
        }
    }
}
