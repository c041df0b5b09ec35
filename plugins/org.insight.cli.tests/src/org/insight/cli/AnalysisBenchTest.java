package org.insight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.insight.analysis.profile.FunctionProfile;
import org.insight.cli.AnalysisBenchTable.CallCount;
import org.insight.cli.AnalysisBenchTable.FunctionRow;
import org.insight.cli.AnalysisBenchTable.LockRow;
import org.junit.jupiter.api.Test;

/** {@code bench --analysis} without a machine: Callgrind's call counts, the tables, the options. */
class AnalysisBenchTest {
    /** A tiny callgrind.out in Callgrind's own compressed form, with a recursion level and two callers of one callee. */
    static final String CALLGRIND_OUT = """
            # callgrind format
            version: 1
            creator: callgrind-3.19.0
            positions: line
            events: Ir
            summary: 1000

            ob=(1) /tmp/calltree
            fl=(3) /src/samples/calltree.c
            fn=(10) main
            200 5
            cfn=(12) fib
            calls=1 23
            * 400
            cfn=(14) sort_suite
            calls=1 90
            * 100
            fn=(12)
            23 3
            cfn=(13) fib'2
            calls=2 23
            * 300
            fn=(13)
            23 3
            cfn=(13)
            calls=6 23
            * 200
            fn=(14)
            90 1
            cfl=(4) /build/glibc/string/memcpy.c
            cfn=(15) memcpy
            calls=3 0
            * 30
            fl=(4)
            fn=(15)
            0 10

            fl=(3)
            fn=(16) worker
            50 2
            cfn=(15)
            calls=4 0
            * 40
            """;

    @Test
    void callgrindCallsSumCallersAndRecursionLevels() {
        CallgrindCalls c = CallgrindCalls.parse(CALLGRIND_OUT);
        assertEquals(0, c.callsOf("main"), "no caller of main in this file");
        assertEquals(9, c.callsOf("fib"), "1 from main, 2 + 6 from its own second level");
        assertEquals(1, c.callsOf("sort_suite"));
        assertEquals(7, c.callsOf("memcpy"), "3 from sort_suite, 4 from worker (compressed cfn)");
        assertEquals(0, c.callsOf("worker"));
        assertEquals("/src/samples/calltree.c", c.files().get("fib"));
        assertEquals("/src/samples/calltree.c", c.files().get("worker"));
        assertEquals("/build/glibc/string/memcpy.c", c.files().get("memcpy"));
        assertFalse(c.calls().containsKey("fib'2"));
    }

    @Test
    void ownFunctionsAreComparedAndCallgrindOnlyOnesCountZero() {
        CallgrindCalls c = CallgrindCalls.parse(CALLGRIND_OUT);
        FunctionProfile profile = new FunctionProfile(List.of(
                new FunctionProfile.Function(0x1000, 9, 8, 0, 0, 0),
                new FunctionProfile.Function(0x2000, 2, 0, 0, 0, 0),
                new FunctionProfile.Function(0x3000, 7, 0, 0, 0, 0)), List.of(), List.of(),
                Map.of(0x1000L, "fib", 0x2000L, "sort_suite", 0x3000L, "memcpy"), 3, 0, 1);
        List<CallCount> counts = AnalysisBench.counts(profile, Map.of(0x1000L, "fib", 0x2000L, "sort_suite"), c,
                "calltree.c");
        assertEquals(List.of(new CallCount("fib", 9L, 9L), new CallCount("sort_suite", 2L, 1L)), counts,
                "memcpy is libc's; main and worker are the source's but Callgrind saw no call to them");
        assertEquals("agree", counts.get(0).verdict());
        assertEquals("DIFFER", counts.get(1).verdict());
        List<CallCount> unprofiled = AnalysisBench.counts(null, Map.of(), c, "calltree.c");
        assertEquals(List.of(new CallCount("fib", null, 9L), new CallCount("sort_suite", null, 1L)), unprofiled);
        assertEquals("-", unprofiled.get(0).verdict());
    }

    @Test
    void helgrindLockOrdersAreCounted() {
        String report = """
                ==8033== Thread #6: lock order "0x10C180 before 0x10C240" violated
                ==8033== Observed (incorrect) order is: acquisition of lock at 0x10C240
                ==8033== Thread #5: lock order "0x10C240 before 0x10C210" violated
                ==8033== ERROR SUMMARY: 240 errors from 5 contexts (suppressed: 3356 from 14)
                """;
        assertEquals(2, ValgrindPeer.lockOrders(report));
        assertEquals(0, ValgrindPeer.lockOrders("==1== ERROR SUMMARY: 0 errors from 0 contexts"));
    }

    @Test
    void tablesShowFiguresRatiosAndUnmeasuredCells() {
        LockRow measured = new LockRow("philosophers", 2_000_000_000L, 3_000_000_000L, 1_000_000_000L, 5000, 1,
                8_000_000_000L, 5, null);
        LockRow notMeasured = new LockRow("bank", 1_000_000_000L, 2_000_000_000L, 1_000_000_000L, 40, 0, null, null,
                "valgrind: not measured");
        String locks = AnalysisBenchTable.formatLocks(List.of(measured, notMeasured));
        String[] lines = locks.split("\n");
        assertTrue(lines[0].contains("chaos seed 7"), lines[0]);
        assertTrue(lines[1].startsWith("workload"), lines[1]);
        assertEquals(List.of("philosophers", "2.000", "3.000", "1.000", "4.000", "2.00", "8.000", "4.00", "0.50",
                "0.33", "5000", "5000", "1", "5"), List.of(lines[2].trim().split("\\s+")));
        assertTrue(lines[3].matches("bank\\s+1\\.000\\s+2\\.000\\s+1\\.000\\s+3\\.000\\s+3\\.00\\s+-\\s+-\\s+-\\s+0\\.50"
                + "\\s+40\\s+40\\s+0\\s+-\\s+valgrind: not measured"), lines[3]);

        FunctionRow f = new FunctionRow("calltree", 500_000_000L, 1_000_000_000L, 3_000_000_000L, 1_000_000,
                2_000_000_000L, List.of(new CallCount("fib", 9L, 9L), new CallCount("partition", 32L, 31L)), null);
        String functions = AnalysisBenchTable.formatFunctions(List.of(f));
        assertTrue(functions.contains("Callgrind on the static build"), functions);
        String row = functions.lines().filter(l -> l.startsWith("calltree ")).findFirst().orElseThrow();
        assertEquals(List.of("calltree", "0.500", "1.000", "3.000", "4.000", "8.00", "2.000", "4.00", "2.00",
                "1000000", "333333"), List.of(row.trim().split("\\s+")));
        assertTrue(functions.lines().anyMatch(l -> l.matches("calltree\\s+fib\\s+9\\s+9\\s+agree")), functions);
        assertTrue(functions.lines().anyMatch(l -> l.matches("calltree\\s+partition\\s+32\\s+31\\s+DIFFER")),
                functions);
    }

    @Test
    void headerNamesTheBuildsAndAMissingValgrindsPackage() {
        String with = AnalysisBench.header("musl", 3, true);
        assertTrue(with.contains("dynamically linked glibc build"), with);
        assertTrue(with.contains("Callgrind runs the static musl build"), with);
        assertFalse(with.contains("not measured"), with);
        String without = AnalysisBench.header("glibc", 1, false);
        assertTrue(without.lines().anyMatch(l -> l.equals("valgrind not found on PATH: the Helgrind and Callgrind "
                + "columns are not measured (install the package valgrind)")), without);
    }

    @Test
    void workloadsHaveTheirSources() {
        for (AnalysisBench.Workload w : AnalysisBench.WORKLOADS) {
            assertTrue(w.source().endsWith(".c"), w.toString());
            assertTrue(w.locks() || w.functions(), w.toString());
        }
        assertNull(new CallCount("f", null, null).callgrind());
    }

    @Test
    void badOnlyIsOneLineNamingTheWorkloads() {
        CommandLineTest.Outcome o = CommandLineTest.insight("bench", "--analysis", "--only", "philosophers,nope");
        assertEquals(2, o.status(), o.err());
        assertEquals("insight: --only nope: no such workload in bench --analysis; they are "
                + String.join(", ", AnalysisBench.names()), o.err().strip());
    }

    @Test
    void analysisExcludesPeersAndStartup() {
        CommandLineTest.Outcome o = CommandLineTest.insight("bench", "--analysis", "--peers");
        assertEquals(2, o.status(), o.err());
        assertEquals("insight: --analysis is a bench of its own: leave out --peers", o.err().strip());
    }

    @Test
    void badRepeatAndLibcAreRefused() {
        CommandLineTest.Outcome o = CommandLineTest.insight("bench", "--analysis", "--repeat", "0");
        assertEquals(2, o.status(), o.err());
        assertEquals("insight: --repeat must be at least 1, got 0", o.err().strip());
        o = CommandLineTest.insight("bench", "--analysis", "--libc", "uclibc");
        assertEquals(2, o.status(), o.err());
        assertEquals("insight: --libc is glibc or musl, got 'uclibc'", o.err().strip());
    }
}
