package org.insight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** {@code record --analyze} and its options, and the demo's analyze step as its help tells it (no machine). */
class RecordAnalyzeTest {
    private static RecordCommand parse(String... args) {
        CommandLine cl = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        ParseResult parsed = cl.parseArgs(args);
        return (RecordCommand) parsed.subcommand().commandSpec().userObject();
    }

    @Test
    void withoutTheOptionARecordingIsNotAnalyzed() {
        RecordCommand r = parse("record", "-o", "t.insight", "--", "prog", "arg");
        assertFalse(r.analyzing());
        assertEquals(List.of(Path.of("t.insight").toAbsolutePath().getParent()), r.writtenFolders());
    }

    @Test
    void analyzeIsAFlagThatTakesNoValue() {
        // The program right after --analyze is the program, not the flag's value.
        RecordCommand r = parse("record", "--analyze", "-o", "t.insight", "prog", "arg");
        assertTrue(r.analyzing());
        assertNull(r.analyzeOutput);
        assertNull(r.analyzeFormat);
        assertEquals(Path.of("prog"), r.guest.program);
        assertEquals(List.of("arg"), r.guest.args);
        r = parse("record", "-o", "t.insight", "--analyze", "--", "prog");
        assertTrue(r.analyzing());
        assertEquals(Path.of("prog"), r.guest.program);
    }

    @Test
    void theReportOptionsImplyAnalyze(@TempDir Path dir) {
        Path report = dir.resolve("reports/deadlocks.json");
        RecordCommand r = parse("record", "-o", "t.insight", "--analyze-output", report.toString(),
                "--analyze-format", "json", "--", "prog");
        assertTrue(r.analyzing());
        assertEquals(report, r.analyzeOutput);
        assertEquals(AnalyzeCommand.Format.json, r.analyzeFormat);
        assertTrue(parse("record", "-o", "t.insight", "--analyze-format", "text", "--", "prog").analyzing());
        // The nested machine shares the report's folder read-write with the recording's.
        assertEquals(List.of(Path.of("t.insight").toAbsolutePath().getParent(), dir.resolve("reports")),
                r.writtenFolders());
        RecordCommand same = parse("record", "-o", dir.resolve("t.insight").toString(), "--analyze-output",
                dir.resolve("r.txt").toString(), "--", "prog");
        assertEquals(List.of(dir), same.writtenFolders(), "one folder is shared once");
    }

    @Test
    void aBadFormatIsAUsageError() {
        CommandLineTest.Outcome o = CommandLineTest.insight("record", "-o", "t.insight", "--analyze-format", "xml",
                "--", "prog");
        assertEquals(2, o.status());
        assertTrue(o.err().contains("--analyze-format"), o.err());
        assertTrue(o.err().contains("text, json, sarif"), o.err());
    }

    /** Checked on the host before any machine: a report folder that does not exist, or the recording itself. */
    @Test
    void theReportFileIsCheckedBeforeTheMachineStarts(@TempDir Path dir) throws Exception {
        Path prog = Path.of(System.getProperty("insight.guests", "build/guests"), "glibc", "hello");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(prog), "guests not built: " + prog);
        Path trace = dir.resolve("t.insight");
        CommandLineTest.Outcome o = CommandLineTest.insight("record", "--vm", "nested", "-o", trace.toString(),
                "--analyze-output", dir.resolve("no/such/r.txt").toString(), "--", prog.toString());
        assertEquals(2, o.status());
        assertEquals("insight: --analyze-output " + dir.resolve("no/such/r.txt") + ": no such folder "
                + dir.resolve("no/such"), o.err().strip());
        o = CommandLineTest.insight("record", "--vm", "nested", "-o", trace.toString(), "--analyze-output",
                trace.toString(), "--", prog.toString());
        assertEquals(2, o.status());
        assertEquals("insight: --analyze-output " + trace + " is the recording itself (-o)", o.err().strip());
    }

    @Test
    void recordHelpSaysWhereTheReportGoes() {
        CommandLineTest.Outcome o = CommandLineTest.insight("record", "--help");
        assertEquals(0, o.status());
        String help = o.out().replaceAll("\\s+", " ");
        assertTrue(help.contains("--analyze "), help);
        assertTrue(help.contains("--analyze-output=FILE"), help);
        assertTrue(help.contains("--analyze-format=text|json|sarif"), help);
        assertTrue(help.contains("potential deadlocks on stderr, after the guest's output"), help);
        assertTrue(help.contains("write the report to this file instead of stderr"), help);
    }

    @Test
    void demoHelpSaysItEndsWithTheAnalysis() {
        CommandLineTest.Outcome o = CommandLineTest.insight("demo", "--help");
        assertEquals(0, o.status());
        String help = o.out().replaceAll("\\s+", " ");
        assertTrue(help.contains("then analyze it and print the potential deadlocks"), help);
        assertTrue(help.contains("Findings do not change the exit status"), help);
    }
}
