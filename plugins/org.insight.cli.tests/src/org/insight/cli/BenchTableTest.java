package org.insight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;

import org.insight.cli.BenchMeasure.Row;
import org.insight.vmm.machine.RoundTripProbe;
import org.junit.jupiter.api.Test;

/** The parts of {@code insight bench} that need no VM: its rows, the replay limit, and what the table says. */
class BenchTableTest {
    private static BenchWorkload named(String name) {
        return BenchWorkload.ALL.stream().filter(w -> w.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void theRowsTheIssueAsksForAreThereOnceEach() {
        List<String> names = BenchWorkload.names();
        assertEquals(names.size(), new HashSet<>(names).size(), "row names are unique: --only takes them");
        assertEquals("--mode locks", named("locks-mode").recording());
        assertEquals("--mode locks --chaos 7", named("locks-chaos").recording());
        assertEquals(List.of("1000", "8"), named("locks-chaos").args(), "8 threads");
        assertEquals("--mode syscalls", named("bench-counting").recording());
        assertTrue(named("locks-mode").peer() && !named("calltree").peer(), "Helgrind runs the bench-* builds");
    }

    @Test
    void aReplayMayTakeThirtyTimesItsRecordingAndAtLeastAMinute() {
        assertEquals(Duration.ofSeconds(60), BenchMeasure.replayLimit(Duration.ofMillis(300).toNanos()));
        assertEquals(Duration.ofSeconds(300), BenchMeasure.replayLimit(Duration.ofSeconds(10).toNanos()));
    }

    @Test
    void aReplayStoppedAtItsLimitIsShownAsALowerBound() {
        Row limited = new Row(named("bench-counting"), 70_000_000L, 170_000_000L, 300_000_000L, 60_000_000_000L, true,
                1000, 10, null, null);
        String table = BenchTable.format(List.of(limited), "glibc", 1);
        String row = table.lines().filter(l -> l.startsWith("bench-counting")).findFirst().orElseThrow();
        assertTrue(row.contains(">60.000") && row.contains(">200.000"), row);
        assertTrue(row.endsWith(BenchMeasure.LIMIT_NOTE), "a stop at the limit is a note, not a failure: " + row);
        // a failure in the same row is not hidden by the limit
        Row both = new Row(named("bench-counting"), 1L, 2L, 3L, 60_000_000_000L, true, 1, 1, null,
                "VM output differs from the native output");
        assertEquals("VM output differs from the native output; " + BenchMeasure.LIMIT_NOTE, BenchTable.notes(both));
    }

    @Test
    void aLocksModeRowSaysWhatItsLockCallsCostInExceptions() {
        String line = BenchTable.lockCallsLine("bench-locks locks, chaos 7", 8000, 1990, 2000, 2, 5, 6);
        assertEquals("lock calls while recording bench-locks locks, chaos 7: 8000 (1990 sync points), exceptions #BP "
                + "2000 #DB 2 (0.25 a call); 5 of 6 lock functions through a stub", line.strip());
        assertEquals("", BenchTable.lockCalls(new Row(named("bench-locks"), 1L, 2L, 3L, 4L, false, 1, 1, null, null)));
    }

    @Test
    void theExitFloorIsPrintedWithTheLoopThatDidNotRunNamed() {
        RoundTripProbe.Result both = new RoundTripProbe.Result(1000, 30_000_000L, 40_000_000L, "");
        String s = BenchTable.formatExitFloor(List.of(), both);
        assertTrue(s.contains("port I/O at CPL3 30.0 us") && s.contains("syscall through the gate and back 40.0 us"),
                s);
        RoundTripProbe.Result portOnly = new RoundTripProbe.Result(1000, 30_000_000L, -1, "not run: enters CPL0");
        s = BenchTable.formatExitFloor(List.of(), portOnly);
        assertTrue(!s.contains("syscall through") && s.contains("not run: enters CPL0"), s);
        RoundTripProbe.Result neither = new RoundTripProbe.Result(1000, -1, -1, "out faults; enters CPL0");
        s = BenchTable.formatExitFloor(List.of(), neither);
        assertTrue(s.contains("not measured") && s.contains("out faults; enters CPL0") && !s.contains("us"), s);
    }
}
