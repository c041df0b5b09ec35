package org.insight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The pieces of {@code insight bench --startup} that need no fresh JVMs: parsing, medians, emulation detection. */
class StartupBenchTest {
    @Test
    void aProbeLineIsParsedAndMedians() {
        StartupBench.Sample a = StartupBench.parse("insight-startup jvm=90000 cli=200000 elf=30000 symbols=100000 "
                + "vm=- count=1850");
        assertEquals(new StartupBench.Sample(90000, 200000, 30000, 100000, -1, 1850), a);
        StartupBench.Sample b = StartupBench.parse("insight-startup jvm=70000 cli=250000 elf=10000 symbols=20000 "
                + "vm=40000 count=1850");
        StartupBench.Sample c = StartupBench.parse("insight-startup jvm=80000 cli=210000 elf=20000 symbols=30000 "
                + "vm=50000 count=1850");
        assertEquals(new StartupBench.Sample(80000, 210000, 20000, 30000, 40000, 1850),
                StartupBench.median(List.of(a, b, c)));
    }

    @Test
    void theRowsWithoutAnArchiveDropOnlyTheArchiveOptions() {
        assertEquals(List.of("--enable-native-access=ALL-UNNAMED", "-Dinsight.guests=x", "-Xlog:aot=off,cds=off"),
                StartupBench.withoutArchive(List.of("-XX:AOTCache=/b/insight.aot", "--enable-native-access=ALL-UNNAMED",
                        "-Dinsight.guests=x", "-Xlog:aot=off,cds=off", "-Xshare:auto")));
    }

    @Test
    void qemuTcgIsRecognisedFromCpuinfo() {
        assertTrue(StartupBench.cpuinfoSaysTcg("vendor_id\t: AuthenticAMD\nmodel name\t: QEMU TCG CPU version 2.5+\n"
                + "flags\t\t: fpu vme hypervisor svm\n"));
        assertTrue(StartupBench.cpuinfoSaysTcg("model name\t: QEMU Virtual CPU version 2.5+\nflags\t\t: fpu hypervisor\n"));
        assertFalse(StartupBench.cpuinfoSaysTcg("model name\t: AMD EPYC\nflags\t\t: fpu hypervisor\n"),
                "a hypervisor, not an emulator");
        assertFalse(StartupBench.cpuinfoSaysTcg("model name\t: Intel(R) Xeon(R)\nflags\t\t: fpu vmx\n"));
        assertFalse(StartupBench.cpuinfoSaysTcg(""));
    }

    @Test
    void theTableSaysWhatWasNotMeasured() {
        StartupBench.Sample s = new StartupBench.Sample(90000, 200000, 30000, 100000, -1, 1850);
        String table = StartupBench.format(List.of(new StartupBench.Row("glibc/hello", "none", "CDT", s, null),
                new StartupBench.Row("musl/hello", "none", "CDT", null, "start-up probe exited with 1")), 3, null);
        assertTrue(table.contains("glibc/hello  none"), table);
        assertTrue(table.contains("420.0"), "the total: " + table);
        assertTrue(table.contains("start-up probe exited with 1"), table);
        assertTrue(table.contains("only rows without one"), table);
    }
}
