package org.insight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.insight.cli.ConsoleTranscript.TimedLine;
import org.junit.jupiter.api.Test;

class ConsoleTranscriptTest {

    /** Lines one millisecond apart, the first at 10 ms. */
    private static List<TimedLine> console(String... text) {
        List<TimedLine> lines = new ArrayList<>();
        for (int i = 0; i < text.length; i++) {
            lines.add(new TimedLine(10_000_000L + i * 1_000_000L, text[i]));
        }
        return lines;
    }

    @Test
    void theProgramRunsFromTheStartMarkerToThePanic() {
        ConsoleTranscript t = ConsoleTranscript.parse(console(
                "\u001bc\u001b[?7l\u001b[2JSeaBIOS (version 1.16.2-debian-1.16.2-1)",
                "[    5.564854] Failed to execute /insight-start (error -8)",
                "hello-token arg1",
                "[    5.565001] random: crng init done",
                "line 0",
                "[    5.565280] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000300",
                "[    5.565289] CPU: 0 PID: 1 Comm: init Not tainted 6.1.0-56-amd64 #1  Debian 6.1.192-2"));

        assertTrue(t.completed(), t.failure());
        assertEquals(List.of("hello-token arg1", "line 0"), t.output());
        assertEquals(List.of("[    5.565001] random: crng init done"), t.kernelMessages());
        assertEquals(0x300, t.waitStatus());
        assertEquals(11_000_000L, t.startNanos());
        assertEquals(15_000_000L, t.endNanos());
    }

    @Test
    void aLastLineWithoutNewlineIsSeparatedFromThePanic() {
        ConsoleTranscript t = ConsoleTranscript.parse(console(
                "[    1.000000] Failed to execute /insight-start (error -8)",
                "no newline[    1.000100] Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b"));

        assertTrue(t.completed(), t.failure());
        assertEquals(List.of("no newline"), t.output());
        assertEquals(0xb, t.waitStatus());
    }

    @Test
    void anInitTheKernelCannotExecuteIsAFailureNamingThePanic() {
        ConsoleTranscript t = ConsoleTranscript.parse(console(
                "[    1.000000] Failed to execute /insight-start (error -8)",
                "[    1.000100] Kernel panic - not syncing: Requested init /init failed (error -2)."));

        assertEquals("the kernel panicked after the start marker: Requested init /init failed (error -2).",
                t.failure());
    }

    @Test
    void aPanicBeforeTheMarkerAndAConsoleThatStopsEarlyAreFailures() {
        assertEquals("the kernel panicked before it ran the program: VFS: Unable to mount root fs on unknown-block(0,0)",
                ConsoleTranscript.parse(console("[    0.9] Kernel panic - not syncing: "
                        + "VFS: Unable to mount root fs on unknown-block(0,0)")).failure());
        assertEquals("the console never showed the start marker (the kernel did not get to run /init)",
                ConsoleTranscript.parse(console("SeaBIOS")).failure());
        ConsoleTranscript cut = ConsoleTranscript.parse(console(
                "[    1.000000] Failed to execute /insight-start (error -8)", "half of the output"));
        assertEquals("the console ended before the program's exit (no \"Attempted to kill init!\" panic)",
                cut.failure());
        assertEquals(List.of("half of the output"), cut.output());
    }
}
