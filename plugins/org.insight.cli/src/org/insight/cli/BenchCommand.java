package org.insight.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

import org.insight.kvm.KvmAvailability;
import org.insight.vmm.GuestRun;
import org.insight.vmm.inputs.LiveInputs;
import org.insight.vmm.inputs.RoundRobin;
import org.insight.vmm.inputs.StdinSource;
import org.insight.vmm.linux.CapturedOutput;
import org.insight.vmm.machine.RunOptions;
import org.insight.vmm.machine.RunResult;
import org.insight.vmm.machine.RunStats;
import org.insight.vmm.machine.RunStats.ExitKind;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code insight bench}: each workload runs natively and in the VM, alternately, in this one process, and the table
 * gives the medians and their ratio with the machine it ran on. Timed tests are never used for performance claims;
 * this command is where the figures come from.
 */
@Command(name = "bench", resourceBundle = "org.insight.cli.messages", sortOptions = false)
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--repeat", paramLabel = "N", descriptionKey = "bench.repeat")
    int repeat = 3;

    @Option(names = "--libc", paramLabel = "glibc|musl", descriptionKey = "bench.libc")
    String libc = "glibc";

    @Option(names = "--guests", paramLabel = "DIR", descriptionKey = "bench.guests")
    Path guests;

    @Option(names = "--only", paramLabel = "NAME", split = ",", descriptionKey = "bench.only")
    List<String> only = new ArrayList<>();

    /** A program and its arguments; the bench loops take their iteration count as argv[1]. */
    record Workload(String name, List<String> args) {
    }

    static final List<Workload> WORKLOADS = List.of(
            new Workload("bench-compute", List.of("300000000")),
            new Workload("bench-syscalls", List.of("20000")),
            new Workload("bench-locks", List.of("100000")),
            new Workload("calltree", List.of()),
            new Workload("philosophers", List.of()),
            new Workload("bank", List.of()),
            new Workload("prodcons", List.of()));

    /** Medians of one workload; {@code vm} is null when the VM was not measured. */
    record Row(Workload workload, long nativeNanos, Long vmNanos, RunStats stats, String problem) {
    }

    @Override
    public Integer call() throws Exception {
        if (repeat < 1) {
            throw new UserError("--repeat must be at least 1, got " + repeat);
        }
        if (!libc.equals("glibc") && !libc.equals("musl")) {
            throw new UserError("--libc is glibc or musl, got '" + libc + "'");
        }
        Path dir = (guests != null ? guests : Path.of(System.getProperty("insight.guests", "build/guests"))).resolve(libc);
        boolean vm = KvmAvailability.present();
        List<Row> rows = new ArrayList<>();
        for (Workload w : WORKLOADS) {
            if (!only.isEmpty() && !only.contains(w.name())) {
                continue;
            }
            Path program = dir.resolve(w.name());
            if (!Files.isExecutable(program)) {
                throw new UserError(program + ": not built (./insight build builds the guests into build/guests)");
            }
            rows.add(measure(program, w, vm));
        }
        PrintStream out = System.out;
        out.println(MachineDescription.current().format());
        out.println(format(rows, libc, repeat));
        if (!vm) {
            out.println("VM columns not measured: " + KvmAvailability.missingReason());
            return 1;
        }
        return rows.stream().anyMatch(r -> r.problem() != null) ? 1 : 0;
    }

    private Row measure(Path program, Workload w, boolean vm) throws Exception {
        long[] nat = new long[repeat];
        long[] virt = new long[repeat];
        RunStats lastStats = null;
        String problem = null;
        for (int i = 0; i < repeat; i++) {
            NativeRun n = NativeRun.of(program, w.args(), 600_000);
            if (n.timedOut() || n.exitStatus() != 0) {
                problem = "native run " + (n.timedOut() ? "timed out" : "exited with " + n.exitStatus());
            }
            nat[i] = n.wallNanos();
            if (vm) {
                List<String> argv = new ArrayList<>();
                argv.add(program.toString());
                argv.addAll(w.args());
                CapturedOutput captured = new CapturedOutput();
                RunOptions options = RunOptions.defaults().withArgv(argv);
                long t0 = System.nanoTime();
                RunResult r;
                try (LiveInputs inputs = new LiveInputs(StdinSource.empty(), new RoundRobin(options.timeSlice()))) {
                    r = GuestRun.run(program, options, inputs, captured);
                }
                virt[i] = System.nanoTime() - t0;
                lastStats = r.stats();
                if (r.exitStatus() != 0) {
                    problem = "VM run: " + r.describe();
                } else if (!Arrays.equals(captured.stdout(), n.stdout())) {
                    problem = "VM output differs from the native output";
                }
            }
        }
        return new Row(w, median(nat), vm ? median(virt) : null, lastStats, problem);
    }

    static long median(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }

    static String format(List<Row> rows, String libc, int repeat) {
        StringBuilder s = new StringBuilder();
        s.append(String.format("InSight bench (%s builds, median of %d runs each, native and VM alternating)%n", libc, repeat));
        s.append(String.format("%-16s %10s %10s %8s %9s %8s %8s %8s %9s  %s%n", "workload", "native s", "VM s", "VM/nat",
                "syscalls", "faults", "kicks", "other", "switches", "notes"));
        for (Row r : rows) {
            RunStats st = r.stats();
            s.append(String.format("%-16s %10.3f %10s %8s %9s %8s %8s %8s %9s  %s%n", r.workload().name(),
                    r.nativeNanos() / 1e9, r.vmNanos() == null ? "-" : String.format("%.3f", r.vmNanos() / 1e9),
                    r.vmNanos() == null ? "-" : String.format("%.3f", (double) r.vmNanos() / r.nativeNanos()),
                    st == null ? "-" : st.exits(ExitKind.SYSCALL), st == null ? "-" : st.exits(ExitKind.PAGE_FAULT),
                    st == null ? "-" : st.exits(ExitKind.KICK),
                    st == null ? "-" : st.exits(ExitKind.EXCEPTION) + st.exits(ExitKind.OTHER),
                    st == null ? "-" : st.switches(), r.problem() == null ? "" : r.problem()));
        }
        for (Row r : rows) {
            RunStats st = r.stats();
            if (st == null) {
                continue;
            }
            if (r.workload().name().equals("bench-syscalls") && st.exits(ExitKind.SYSCALL) > 0) {
                s.append(String.format("syscall round trip: %.1f us in the VM (wall difference per syscall), "
                        + "%.1f us of it in the VMM's handler%n",
                        (r.vmNanos() - r.nativeNanos()) / 1e3 / st.exits(ExitKind.SYSCALL),
                        st.handlingNanos(ExitKind.SYSCALL) / 1e3 / st.exits(ExitKind.SYSCALL)));
            }
            if (r.workload().name().equals("bench-locks") && st.switches() > 0) {
                s.append(String.format("thread switch: %.1f us each (%d switches, VMM time)%n",
                        st.switchNanos() / 1e3 / st.switches(), st.switches()));
            }
        }
        return s.toString();
    }
}
