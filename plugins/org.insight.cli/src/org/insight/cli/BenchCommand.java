package org.insight.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Callable;

import org.insight.kvm.KvmAvailability;
import org.insight.replay.RecordSession;
import org.insight.replay.ReplayOptions;
import org.insight.replay.ReplaySession;
import org.insight.replay.VmmLauncher;
import org.insight.replay.trace.GuestBinary;
import org.insight.replay.trace.GuestProgram;
import org.insight.replay.trace.RecordingConfig;
import org.insight.vmm.machine.SyncMode;
import org.insight.replay.trace.TraceHeader;
import org.insight.symbols.ElfImage;
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
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code insight bench}: each workload runs natively, in the VM, recorded and replayed, alternately, in this one
 * process, and the table gives the medians and their ratios with the machine it ran on. Timed tests are never used
 * for performance claims; this command is where the figures come from.
 */
@Command(name = "bench", sortOptions = false)
final class BenchCommand implements Callable<Integer>, RunsGuest {
    @Option(names = "--repeat", paramLabel = "N", descriptionKey = "bench.repeat")
    int repeat = 3;

    @Option(names = "--libc", paramLabel = "glibc|musl", descriptionKey = "bench.libc")
    String libc = "glibc";

    @Option(names = "--guests", paramLabel = "DIR", descriptionKey = "bench.guests")
    Path guests;

    @Option(names = "--only", paramLabel = "NAME", split = ",", descriptionKey = "bench.only")
    List<String> only = new ArrayList<>();

    @Option(names = "--peers", descriptionKey = "bench.peers")
    boolean peers;

    @Option(names = "--startup", descriptionKey = "bench.startup")
    boolean startup;

    @Option(names = "--analysis", descriptionKey = "bench.analysis")
    boolean analysis;

    @Mixin
    VmOption vm = new VmOption();

    @Override
    public VmOption vm() {
        return vm;
    }

    /** --startup runs no guest: it measures this host's start-up, and never in the nested machine. */
    @Override
    public boolean needsMachine() {
        return !startup;
    }

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

    /** Medians of one workload, in nanoseconds; VM figures are null when the VM was not measured. */
    record Row(Workload workload, long nativeNanos, Long vmNanos, Long recordNanos, Long replayNanos, long traceBytes,
            long frames, RunStats stats, String problem) {
    }

    /** QEMU's record and replay of one workload, whole process and workload alone. */
    record PeerRow(Workload workload, PeerRun record, PeerRun replay, String problem) {
    }

    /** Checks the options here, before a nested machine would start for them. */
    @Override
    public void checkArguments() {
        if (repeat < 1) {
            throw new UserError("--repeat must be at least 1, got " + repeat);
        }
        if (!libc.equals("glibc") && !libc.equals("musl")) {
            throw new UserError("--libc is glibc or musl, got '" + libc + "'");
        }
        if (analysis && (startup || peers)) {
            throw new UserError("--analysis is a bench of its own: leave out " + (startup ? "--startup" : "--peers"));
        }
        List<String> names = analysis ? AnalysisBench.names() : WORKLOADS.stream().map(Workload::name).toList();
        List<String> unknown = only.stream().filter(n -> !names.contains(n)).toList();
        if (!startup && !unknown.isEmpty()) {
            throw new UserError("--only " + String.join(",", unknown) + ": no such workload" + (analysis
                    ? " in bench --analysis" : "") + "; they are " + String.join(", ", names));
        }
    }

    @Override
    public Integer call() throws Exception {
        checkArguments();
        Path guestRoot = guests != null ? guests : Path.of(System.getProperty("insight.guests", "build/guests"));
        if (startup) {
            return new StartupBench(guestRoot, repeat, System.out).run();
        }
        if (analysis) {
            return new AnalysisBench(guestRoot, libc, only, repeat, System.out).run();
        }
        Path dir = guestRoot.resolve(libc);
        boolean vm = KvmAvailability.present();
        List<Workload> selected = WORKLOADS.stream().filter(w -> only.isEmpty() || only.contains(w.name())).toList();
        if (selected.isEmpty()) {
            throw new UserError("--only " + only + " names no workload; they are "
                    + WORKLOADS.stream().map(Workload::name).toList());
        }
        List<Row> rows = new ArrayList<>();
        for (Workload w : selected) {
            rows.add(measure(program(dir, w), w, vm));
        }
        List<PeerRow> peerRows = new ArrayList<>();
        if (peers) {
            QemuPeer qemu = QemuPeer.prepare(Path.of(System.getProperty("insight.tools", ".tools")));
            for (Workload w : selected) {
                peerRows.add(measurePeer(qemu, program(dir, w), w));
            }
        }
        PrintStream out = System.out;
        boolean nested = StartupBench.underNestedTcg();
        if (nested) {
            out.println(StartupBench.NESTED_NOTE);
        }
        out.println(MachineDescription.current().format());
        out.print(format(rows, libc, repeat));
        if (peers) {
            out.print(formatPeers(rows, peerRows));
        }
        if (nested) {
            // functional facts only there: the run itself checks outputs, the figures are not results
            rows.stream().filter(r -> r.problem() != null).forEach(r -> out.println(r.workload().name() + ": "
                    + r.problem()));
            return 0;
        }
        if (!vm) {
            out.println("VM columns not measured: " + KvmAvailability.missingReason());
            return 1;
        }
        boolean problems = rows.stream().anyMatch(r -> r.problem() != null)
                || peerRows.stream().anyMatch(r -> r.problem() != null);
        return problems ? 1 : 0;
    }

    private static Path program(Path dir, Workload w) {
        Path program = dir.resolve(w.name());
        if (!Files.isExecutable(program)) {
            throw new UserError(program + ": not built (./insight build builds the guests into build/guests)");
        }
        return program;
    }

    private Row measure(Path program, Workload w, boolean vm) throws Exception {
        long[] nat = new long[repeat];
        long[] plain = new long[repeat];
        long[] rec = new long[repeat];
        long[] rep = new long[repeat];
        RunStats lastStats = null;
        String problem = null;
        long traceBytes = 0;
        long frames = 0;
        List<String> argv = new ArrayList<>();
        argv.add(program.toString());
        argv.addAll(w.args());
        for (int i = 0; i < repeat; i++) {
            NativeRun n = NativeRun.of(program, w.args(), 600_000);
            if (n.timedOut() || n.exitStatus() != 0) {
                problem = "native run " + (n.timedOut() ? "timed out" : "exited with " + n.exitStatus());
            }
            nat[i] = n.wallNanos();
            if (!vm) {
                continue;
            }
            RunOptions options = RunOptions.defaults().withArgv(argv);
            CapturedOutput captured = new CapturedOutput();
            long t0 = System.nanoTime();
            RunResult r;
            try (LiveInputs inputs = new LiveInputs(StdinSource.empty(), new RoundRobin(options.timeSlice()))) {
                r = GuestRun.run(program, options, inputs, captured);
            }
            plain[i] = System.nanoTime() - t0;
            lastStats = r.stats();
            if (r.exitStatus() != 0) {
                problem = "VM run: " + r.describe();
            } else if (!Arrays.equals(captured.stdout(), n.stdout())) {
                problem = "VM output differs from the native output";
            }

            Path trace = Files.createTempFile("insight-bench-", ".insight");
            try {
                ElfImage image = ElfImage.read(program);
                GuestBinary binary = GuestBinary.of(GuestRun.executablePath(program), image.bytes(), image.buildId());
                RecordingConfig config = new RecordingConfig(SyncMode.SYSCALLS, options.timeSlice(),
                        OptionalLong.empty(), options.memoryCap(), options.watchdogPeriod());
                TraceHeader header = TraceHeader.forRecording(new GuestProgram(binary, argv, List.of()), config);
                CapturedOutput recorded = new CapturedOutput();
                t0 = System.nanoTime();
                try (LiveInputs live = new LiveInputs(StdinSource.empty(), new RoundRobin(options.timeSlice()));
                        RecordSession s = RecordSession.start(trace, header, live, recorded, new VmmLauncher(null))) {
                    s.run();
                    frames = s.frames();
                }
                rec[i] = System.nanoTime() - t0;
                traceBytes = Files.size(trace);
                CapturedOutput replayed = new CapturedOutput();
                t0 = System.nanoTime();
                try (ReplaySession s = ReplaySession.open(trace, replayed, new VmmLauncher(null),
                        ReplayOptions.onThisHost())) {
                    s.run();
                }
                rep[i] = System.nanoTime() - t0;
                if (!Arrays.equals(recorded.stdout(), replayed.stdout())) {
                    problem = "replayed output differs from the recorded output";
                }
            } catch (RuntimeException e) {
                problem = "record/replay: " + e.getMessage();
            } finally {
                Files.deleteIfExists(trace);
            }
        }
        return new Row(w, median(nat), vm ? median(plain) : null, vm ? median(rec) : null, vm ? median(rep) : null,
                traceBytes, frames, lastStats, problem);
    }

    private static PeerRow measurePeer(QemuPeer qemu, Path program, Workload w) throws IOException {
        PeerRun record = qemu.record(program, w.args());
        try {
            if (!record.completed()) {
                return new PeerRow(w, record, null, "QEMU record: " + (record.failure() == null ? "did not complete" : record.failure()));
            }
            PeerRun replay = qemu.replay(record);
            String problem = replay.completed() ? (replay.output().equals(record.output()) ? null
                    : "QEMU replay output differs") : "QEMU replay: " + (replay.failure() == null ? "did not complete" : replay.failure());
            return new PeerRow(w, record, replay, problem);
        } finally {
            deleteTree(record.initramfs().getParent());
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.isDirectory(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static long median(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }

    private static String sec(Long nanos) {
        return nanos == null ? "-" : String.format("%.3f", nanos / 1e9);
    }

    private static String ratio(Long a, Long b) {
        return a == null || b == null || b == 0 ? "-" : String.format("%.3f", (double) a / b);
    }

    static String format(List<Row> rows, String libc, int repeat) {
        StringBuilder s = new StringBuilder();
        s.append(String.format("InSight bench (%s builds, median of %d runs each; native, VM, record and replay "
                + "alternate in one process)%n", libc, repeat));
        s.append(String.format("%-15s %9s %9s %7s %9s %7s %9s %7s %10s %7s %9s  %s%n", "workload", "native s",
                "VM s", "VM/nat", "record s", "rec/VM", "replay s", "rep/rec", "trace B", "B/frame", "B/s rec",
                "notes"));
        for (Row r : rows) {
            s.append(String.format("%-15s %9s %9s %7s %9s %7s %9s %7s %10s %7s %9s  %s%n", r.workload().name(),
                    sec(r.nativeNanos()), sec(r.vmNanos()), ratio(r.vmNanos(), r.nativeNanos()),
                    sec(r.recordNanos()), ratio(r.recordNanos(), r.vmNanos()), sec(r.replayNanos()),
                    ratio(r.replayNanos(), r.recordNanos()), r.vmNanos() == null ? "-" : r.traceBytes(),
                    r.frames() == 0 ? "-" : String.format("%.1f", (double) r.traceBytes() / r.frames()),
                    r.recordNanos() == null ? "-" : String.format("%.0f", r.traceBytes() / (r.recordNanos() / 1e9)),
                    r.problem() == null ? "" : r.problem()));
        }
        s.append(String.format("%-15s %9s %9s %7s %9s %7s %9s  %s%n", "exits (VM)", "syscalls", "faults", "kicks",
                "other", "switch", "us/exit", ""));
        for (Row r : rows) {
            RunStats st = r.stats();
            if (st == null) {
                continue;
            }
            s.append(String.format("%-15s %9d %9d %7d %9d %7d %9.1f%n", r.workload().name(),
                    st.exits(ExitKind.SYSCALL), st.exits(ExitKind.PAGE_FAULT), st.exits(ExitKind.KICK),
                    st.exits(ExitKind.EXCEPTION) + st.exits(ExitKind.OTHER), st.switches(),
                    st.exits() == 0 ? 0.0 : (r.vmNanos() - r.nativeNanos()) / 1e3 / st.exits()));
        }
        for (Row r : rows) {
            RunStats st = r.stats();
            if (st == null) {
                continue;
            }
            if (r.workload().name().equals("bench-syscalls") && st.exits(ExitKind.SYSCALL) > 0) {
                s.append(String.format("syscall round trip: %.1f us (VM minus native wall time per syscall), of it "
                        + "%.1f us in the VMM's handler%n",
                        (r.vmNanos() - r.nativeNanos()) / 1e3 / st.exits(ExitKind.SYSCALL),
                        st.handlingNanos(ExitKind.SYSCALL) / 1e3 / st.exits(ExitKind.SYSCALL)));
            }
            if (r.workload().name().equals("bench-locks") && st.switches() > 0) {
                s.append(String.format("thread switch: %.1f us each (%d switches, time in the VMM)%n",
                        st.switchNanos() / 1e3 / st.switches(), st.switches()));
            }
        }
        return s.toString();
    }

    static String formatPeers(List<Row> rows, List<PeerRow> peerRows) {
        StringBuilder s = new StringBuilder();
        s.append(String.format("%nQEMU peer (TCG, -icount shift=auto,rr=record|replay, Debian kernel, program as "
                + "/init)%n"));
        s.append(String.format("%-15s %10s %10s %10s %10s %12s %12s  %s%n", "workload", "qemu rec", "rec work",
                "qemu rep", "rep work", "InSight rec", "InSight rep", "notes"));
        for (PeerRow p : peerRows) {
            Row ours = rows.stream().filter(r -> r.workload().equals(p.workload())).findFirst().orElseThrow();
            s.append(String.format("%-15s %10s %10s %10s %10s %12s %12s  %s%n", p.workload().name(),
                    sec(p.record().wholeProcess().toNanos()), sec(p.record().workload().toNanos()),
                    p.replay() == null ? "-" : sec(p.replay().wholeProcess().toNanos()),
                    p.replay() == null ? "-" : sec(p.replay().workload().toNanos()), sec(ours.recordNanos()),
                    sec(ours.replayNanos()), p.problem() == null ? "" : p.problem()));
        }
        s.append("(qemu columns: whole process, then the workload alone from /init's start to its exit; InSight "
                + "columns: whole record and replay sessions in this JVM)\n");
        return s.toString();
    }
}
