package org.insight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.insight.kvm.KvmAvailability;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The insight command's handling of what users type: every mistake is one line naming what and where. */
class CommandLineTest {
    record Outcome(int status, String out, String err) {
    }

    static Outcome insight(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Outcome(status, out.toString(), err.toString());
    }

    @Test
    void helpListsTheSubcommands() {
        Outcome o = insight("--help");
        assertEquals(0, o.status());
        assertTrue(o.out().contains("run"), o.out());
        assertTrue(o.out().contains("bench"), o.out());
    }

    @Test
    void unknownOptionIsAUsageError() {
        Outcome o = insight("run", "--no-such-option", "/bin/true");
        assertEquals(2, o.status());
        assertTrue(o.err().contains("--no-such-option"), o.err());
    }

    @Test
    void missingProgramIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("nope");
        Outcome o = insight("run", "--", missing.toString());
        assertEquals(2, o.status());
        assertEquals("insight: " + missing + ": no such file", o.err().strip());
    }

    @Test
    void malformedElfIsRefusedWithItsReasonAndNoStackTrace(@TempDir Path dir) throws IOException {
        Path bogus = dir.resolve("bogus");
        Files.writeString(bogus, "#!/bin/sh\necho not an ELF\n");
        Outcome o = insight("run", "--", bogus.toString());
        assertEquals(2, o.status());
        assertTrue(o.err().startsWith("insight: " + bogus), o.err());
        assertTrue(o.err().contains("not an ELF"), o.err());
        assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());
    }

    @Test
    void badSizeIsExplained() {
        Outcome o = insight("run", "--memory", "lots", "--", "/bin/true");
        assertEquals(2, o.status());
        assertTrue(o.err().contains("not a size: 'lots'"), o.err());
    }

    @Test
    void badEnvIsExplained(@TempDir Path dir) throws IOException {
        Path prog = Files.writeString(dir.resolve("p"), "x");
        Outcome o = insight("run", "--env", "NOEQUALS", "--", prog.toString());
        assertEquals(2, o.status());
        assertEquals("insight: --env wants NAME=VALUE, got 'NOEQUALS'", o.err().strip());
    }

    @Test
    void withoutKvmARunSaysSoNamingTheDevice() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeFalse(KvmAvailability.present(),
                "this machine has /dev/kvm: real runs are covered by the guest program tests");
        Path guests = Path.of(System.getProperty("insight.guests", "build/guests"));
        Path hello = guests.resolve("glibc/hello");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(hello), "guests not built: " + hello);
        Outcome o = insight("run", "--vm", "kvm", "--", hello.toString());
        assertEquals(2, o.status());
        assertTrue(o.err().contains("/dev/kvm"), o.err());
        assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());
    }

    @Test
    void aBadVmChoiceIsNamed(@TempDir Path dir) throws IOException {
        Outcome o = insight("run", "--vm", "xen", "--", "/bin/true");
        assertEquals(2, o.status());
        assertEquals("insight: --vm is auto, kvm or nested, got 'xen'", o.err().strip());
    }

    /** Without the nested machine's script (no launcher), --vm nested says what is missing, after checking args. */
    @Test
    void nestedWithoutItsScriptSaysSo() {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty(NestedMachine.SCRIPT_PROPERTY) == null);
        Path guests = Path.of(System.getProperty("insight.guests", "build/guests"));
        Path hello = guests.resolve("musl/hello");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(hello), "guests not built: " + hello);
        Outcome o = insight("run", "--vm", "nested", "--", hello.toString());
        assertEquals(2, o.status());
        assertTrue(o.err().contains("running in a nested KVM"), o.err());
        assertTrue(o.err().contains("no nested machine in this installation"), o.err());
        assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());
    }

    /** Mistakes are found on this host before any machine is chosen, nested or not. */
    @Test
    void argumentsAreCheckedBeforeTheMachineStarts(@TempDir Path dir) {
        Path missing = dir.resolve("nope");
        Outcome o = insight("record", "--vm", "nested", "-o", dir.resolve("no/such/t.insight").toString(), "--",
                missing.toString());
        assertEquals(2, o.status());
        assertEquals("insight: " + missing + ": no such file", o.err().strip());
        o = insight("replay", "--vm", "nested", missing.toString());
        assertEquals(2, o.status());
        assertEquals("insight: " + missing + ": no such recording", o.err().strip());
    }

    /** The limits of record and replay: a wrong value is named before anything runs. */
    @Test
    void badLimitsAreNamed(@TempDir Path dir) {
        Outcome o = insight("replay", "--time-limit", "0", dir.resolve("t.insight").toString());
        assertEquals(2, o.status());
        assertEquals("insight: --time-limit must be a positive number of seconds (at most a year), got 0.0",
                o.err().strip());
        o = insight("analyze", "--time-limit", "-5", dir.resolve("t.insight").toString());
        assertEquals(2, o.status());
        assertEquals("insight: --time-limit must be a positive number of seconds (at most a year), got -5.0",
                o.err().strip());
        o = insight("replay", "--time-limit", "1e-10", dir.resolve("t.insight").toString());
        assertEquals(2, o.status(), "below a nanosecond: " + o.err());
        o = insight("record", "--max-trace-size", "0", "-o", dir.resolve("t.insight").toString(), "--", "/bin/true");
        assertEquals(2, o.status());
        assertTrue(o.err().contains("size out of range: '0'"), o.err());
        assertTrue(o.err().contains("--max-trace-size"), o.err());
    }

    /** record --analyze writes text, JSON or SARIF; a profile's format is refused before anything runs. */
    @Test
    void recordRefusesAProfileFormatBeforeRunning(@TempDir Path dir) {
        Path guests = Path.of(System.getProperty("insight.guests", "build/guests"));
        Path hello = guests.resolve("musl/hello");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(hello), "guests not built: " + hello);
        Outcome o = insight("record", "--analyze-format", "callgrind", "-o", dir.resolve("t.insight").toString(), "--",
                hello.toString());
        assertEquals(2, o.status());
        assertTrue(o.err().startsWith("insight: --analyze-format callgrind is a function profile's format"), o.err());
        assertFalse(Files.exists(dir.resolve("t.insight")), "nothing was recorded");
    }

    /** A bug is one line and status 70, never a stack trace (that needs INSIGHT_DEBUG=1). */
    @Test
    void anInternalErrorIsOneLine() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse("1".equals(System.getenv("INSIGHT_DEBUG")));
        StringWriter err = new StringWriter();
        picocli.CommandLine cl = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(err, true));
        int status = new UserErrorHandler().handleExecutionException(new IllegalStateException("boom"), cl, null);
        assertEquals(70, status);
        assertTrue(err.toString().startsWith("insight: internal error"), err.toString());
        assertTrue(err.toString().contains("IllegalStateException: boom"), err.toString());
        assertFalse(err.toString().contains("\tat "), err.toString());
    }

    @Test
    void sizesParse() {
        SizeConverter c = new SizeConverter();
        assertEquals(65536L, c.convert("65536"));
        assertEquals(512L << 10, c.convert("512k"));
        assertEquals(256L << 20, c.convert("256M"));
        assertEquals(2L << 30, c.convert("2g"));
    }
}
