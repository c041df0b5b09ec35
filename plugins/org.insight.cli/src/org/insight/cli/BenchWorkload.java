package org.insight.cli;

import java.util.List;
import java.util.OptionalLong;

import org.insight.vmm.machine.SyncMode;

/**
 * One row of {@code insight bench}: a guest program with its arguments, and how it is recorded (the plain VM run is
 * always the default {@code insight run}, so a row's record/VM ratio is what recording in that mode costs).
 *
 * @param name    the row's name ({@code --only} takes it)
 * @param program the guest's file name under {@code build/guests/LIBC}
 * @param args    its arguments (the bench loops take their iteration count as argv[1])
 * @param mode    the recording's sync mode
 * @param chaos   the recording's chaos seed, or empty for round-robin
 * @param peer    whether {@code --peers} runs Helgrind on its dynamic build ({@code build/guests/glibc-dynamic})
 */
record BenchWorkload(String name, String program, List<String> args, SyncMode mode, OptionalLong chaos, boolean peer) {
    /** The seed of the chaos rows, as in {@code insight bench --analysis}. */
    static final long CHAOS_SEED = 7;

    /** Eight threads, 1,000 lock pairs each: the lock rows' program (issue #15's 8 threads, fewer pairs). */
    private static final List<String> LOCK_PAIRS = List.of("1000", "8");

    static final List<BenchWorkload> ALL = List.of(
            syscalls("bench-compute", "300000000"),
            syscalls("bench-syscalls", "20000"),
            syscalls("bench-locks", "100000"),
            new BenchWorkload("locks-mode", "bench-locks", LOCK_PAIRS, SyncMode.LOCKS, OptionalLong.empty(), true),
            new BenchWorkload("locks-chaos", "bench-locks", LOCK_PAIRS, SyncMode.LOCKS, OptionalLong.of(CHAOS_SEED),
                    true),
            syscalls("bench-counting", "20000000"),
            syscalls("calltree"),
            syscalls("philosophers"),
            syscalls("bank"),
            syscalls("prodcons"));

    private static BenchWorkload syscalls(String program, String... args) {
        return new BenchWorkload(program, program, List.of(args), SyncMode.SYSCALLS, OptionalLong.empty(),
                program.startsWith("bench-"));
    }

    static List<String> names() {
        return ALL.stream().map(BenchWorkload::name).toList();
    }

    /** How the row is recorded, as the {@code insight record} options say it. */
    String recording() {
        return "--mode " + mode.name().toLowerCase(java.util.Locale.ROOT)
                + (chaos.isPresent() ? " --chaos " + chaos.getAsLong() : "");
    }
}
