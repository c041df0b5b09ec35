package org.insight.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.insight.cli.BenchMeasure.Row;
import org.insight.cli.BenchTable.HelgrindRow;
import org.insight.cli.BenchTable.QemuRow;
import org.insight.kvm.KvmAvailability;
import org.insight.vmm.machine.RoundTripProbe;

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
        List<String> names = analysis ? AnalysisBench.names() : BenchWorkload.names();
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
        List<BenchWorkload> selected = BenchWorkload.ALL.stream()
                .filter(w -> only.isEmpty() || only.contains(w.name())).toList();
        RoundTripProbe.Result floor = vm ? exitFloor() : null;
        List<Row> rows = new ArrayList<>();
        for (BenchWorkload w : selected) {
            rows.add(BenchMeasure.measure(program(dir, w.program()), w, vm, repeat));
        }
        List<HelgrindRow> helgrindRows = new ArrayList<>();
        List<QemuRow> qemuRows = new ArrayList<>();
        if (peers) {
            helgrindRows = helgrind(guestRoot, selected);
            QemuPeer qemu = QemuPeer.prepare(Path.of(System.getProperty("insight.tools", ".tools")));
            for (BenchWorkload w : selected) {
                qemuRows.add(measureQemu(qemu, program(dir, w.program()), w));
            }
        }
        PrintStream out = System.out;
        boolean nested = StartupBench.underNestedTcg();
        if (nested) {
            out.println(StartupBench.NESTED_NOTE);
        }
        out.println(MachineDescription.current().format());
        out.print(BenchTable.format(rows, libc, repeat));
        if (floor != null) {
            out.print(BenchTable.formatExitFloor(rows, floor));
        }
        if (peers) {
            out.print(BenchTable.formatHelgrind(rows, helgrindRows));
            out.print(BenchTable.formatQemu(rows, qemuRows));
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
        // a replay stopped at its limit is a figure (a lower bound), not a failure of the bench: it is no problem()
        boolean problems = rows.stream().anyMatch(r -> r.problem() != null)
                || helgrindRows.stream().anyMatch(r -> r.problem() != null)
                || qemuRows.stream().anyMatch(r -> r.problem() != null);
        return problems ? 1 : 0;
    }

    /**
     * The exit floor, the median of {@code repeat} probes, each on a thread of its own (a probe binds its thread); null
     * with the reason printed when a probe fails: the rows are still measured.
     */
    private RoundTripProbe.Result exitFloor() throws InterruptedException {
        List<RoundTripProbe.Result> results = new ArrayList<>();
        for (int i = 0; i < repeat; i++) {
            RoundTripProbe.Result[] r = new RoundTripProbe.Result[1];
            Throwable[] failed = new Throwable[1];
            Thread t = Thread.ofPlatform().name("insight-exit-floor").start(() -> {
                try {
                    r[0] = RoundTripProbe.measure(RoundTripProbe.DEFAULT_ROUND_TRIPS);
                } catch (Throwable e) {
                    failed[0] = e;
                }
            });
            t.join();
            if (r[0] == null) {
                System.err.println("insight: exit floor not measured: " + failed[0]);
                return null;
            }
            results.add(r[0]);
        }
        results.sort(java.util.Comparator.comparingLong(RoundTripProbe.Result::portIoNanos));
        RoundTripProbe.Result mid = results.get(results.size() / 2);
        long syscall = BenchMeasure.median(results.stream().map(RoundTripProbe.Result::syscallNanos).toList());
        return new RoundTripProbe.Result(mid.roundTrips(), mid.portIoNanos(), syscall, mid.notes());
    }

    /** Helgrind on the dynamic glibc build of each selected workload that has one. */
    private List<HelgrindRow> helgrind(Path guestRoot, List<BenchWorkload> selected) throws Exception {
        List<HelgrindRow> rows = new ArrayList<>();
        java.util.Optional<ValgrindPeer> valgrind = ValgrindPeer.find();
        for (BenchWorkload w : selected.stream().filter(BenchWorkload::peer).toList()) {
            if (valgrind.isEmpty()) {
                rows.add(new HelgrindRow(w, null, "valgrind is not installed (Debian package "
                        + ValgrindPeer.PACKAGE + ")"));
                continue;
            }
            Path dynamic = program(guestRoot.resolve("glibc-dynamic"), w.program());
            List<Long> times = new ArrayList<>();
            String problem = null;
            for (int i = 0; i < repeat; i++) {
                ValgrindPeer.Run run = valgrind.get().helgrind(dynamic, w.args());
                times.add(run.wallNanos());
                if (run.problem("helgrind") != null) {
                    problem = run.problem("helgrind");
                }
            }
            rows.add(new HelgrindRow(w, BenchMeasure.median(times), problem));
        }
        return rows;
    }

    private static Path program(Path dir, String name) {
        Path program = dir.resolve(name);
        if (!Files.isExecutable(program)) {
            throw new UserError(program + ": not built (./insight build builds the guests into build/guests)");
        }
        return program;
    }

    private static QemuRow measureQemu(QemuPeer qemu, Path program, BenchWorkload w) throws IOException {
        PeerRun record = qemu.record(program, w.args());
        try {
            if (!record.completed()) {
                return new QemuRow(w, record, null, "QEMU record: " + (record.failure() == null ? "did not complete"
                        : record.failure()));
            }
            PeerRun replay = qemu.replay(record);
            String problem = replay.completed() ? (replay.output().equals(record.output()) ? null
                    : "QEMU replay output differs") : "QEMU replay: " + (replay.failure() == null ? "did not complete"
                    : replay.failure());
            return new QemuRow(w, record, replay, problem);
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
}
