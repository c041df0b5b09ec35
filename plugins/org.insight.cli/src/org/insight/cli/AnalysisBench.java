package org.insight.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import org.insight.analysis.AnalysisResult;
import org.insight.analysis.ReplayAnalysis;
import org.insight.analysis.deadlock.DeadlockAnalyzer;
import org.insight.analysis.profile.FunctionProfile;
import org.insight.analysis.profile.FunctionProfileAnalyzer;
import org.insight.analysis.source.SourceLocation;
import org.insight.cli.AnalysisBenchTable.CallCount;
import org.insight.cli.AnalysisBenchTable.FunctionRow;
import org.insight.cli.AnalysisBenchTable.LockRow;
import org.insight.kvm.KvmAvailability;
import org.insight.replay.DivergenceException;
import org.insight.replay.ReplayOptions;
import org.insight.replay.VmmLauncher;
import org.insight.replay.trace.ExitStatus;
import org.insight.vmm.machine.SyncMode;

/**
 * {@code insight bench --analysis}: the diagnosis as a user runs it ({@code insight record --mode locks --chaos 7},
 * then {@code insight analyze}) against Valgrind on the same source, each workload side by side in one run, medians of
 * {@code --repeat} runs: the deadlock and lock-profile analysis against Helgrind (on the dynamic glibc build, since
 * Helgrind sees lock order only through libpthread's dynamic symbols), the exact function profile against Callgrind
 * (on the same static build InSight runs), and both against the native run. The call counts of the program's own
 * functions are printed beside Callgrind's: a correctness check, they must agree.
 */
final class AnalysisBench {
    /** The chaos seed of every recording: the schedule is the same in every run. */
    static final long CHAOS_SEED = 7;

    /**
     * A workload: its program, its source file (the program's own functions are those InSight's source lines place
     * in it), its arguments, and which comparisons it is in.
     */
    record Workload(String name, String source, List<String> args, boolean locks, boolean functions) {
    }

    /**
     * Lock-heavy programs (the samples' philosophers, bank and prodcons: lock-order cycles, many accounts' locks,
     * condition variables; bench-locks: four threads on one mutex, 80,000 lock pairs) and the call-heavy calltree.
     */
    static final List<Workload> WORKLOADS = List.of(
            new Workload("philosophers", "philosophers.c", List.of(), true, true),
            new Workload("bank", "bank.c", List.of(), true, true),
            new Workload("prodcons", "prodcons.c", List.of(), true, true),
            new Workload("bench-locks", "locks.c", List.of("20000"), true, false),
            new Workload("calltree", "calltree.c", List.of(), false, true));

    static List<String> names() {
        return WORKLOADS.stream().map(Workload::name).toList();
    }

    private final Path guests;
    private final String libc;
    private final List<Workload> selected;
    private final int repeat;
    private final PrintStream out;
    private final Optional<ValgrindPeer> valgrind = ValgrindPeer.find();

    AnalysisBench(Path guests, String libc, List<String> only, int repeat, PrintStream out) {
        this.guests = guests;
        this.libc = libc;
        this.selected = WORKLOADS.stream().filter(w -> only.isEmpty() || only.contains(w.name())).toList();
        this.repeat = repeat;
        this.out = out;
    }

    /** Runs the bench and prints its tables; 0 when every measurement completed (always 0 under nested TCG). */
    int run() throws IOException, InterruptedException {
        boolean vm = KvmAvailability.present();
        List<LockRow> lockRows = new ArrayList<>();
        List<FunctionRow> functionRows = new ArrayList<>();
        for (Workload w : selected) {
            Measured m = measure(w, vm);
            if (w.locks()) {
                lockRows.add(m.lockRow());
            }
            if (w.functions()) {
                functionRows.add(m.functionRow());
            }
        }
        boolean nested = StartupBench.underNestedTcg();
        if (nested) {
            out.println(StartupBench.NESTED_NOTE);
        }
        out.println(MachineDescription.current().format());
        out.print(header(libc, repeat, valgrind.isPresent()));
        if (!lockRows.isEmpty()) {
            out.print(AnalysisBenchTable.formatLocks(lockRows));
        }
        if (!functionRows.isEmpty()) {
            out.print(AnalysisBenchTable.formatFunctions(functionRows));
        }
        if (nested) {
            return 0;
        }
        if (!vm) {
            out.println("InSight columns not measured: " + KvmAvailability.missingReason());
            return 1;
        }
        boolean problems = lockRows.stream().anyMatch(r -> r.note() != null)
                || functionRows.stream().anyMatch(r -> r.note() != null || r.counts().stream()
                        .anyMatch(CallCount::disagree));
        return problems || valgrind.isEmpty() ? 1 : 0;
    }

    /** What ran, and on which builds; with no valgrind, the line that says so and names its package. */
    static String header(String libc, int repeat, boolean valgrind) {
        StringBuilder s = new StringBuilder();
        s.append(String.format("insight bench --analysis (%s builds, median of %d runs each, workloads one after "
                + "another)%n", libc, repeat));
        s.append(String.format("Helgrind runs the dynamically linked glibc build of the same source "
                + "(build/guests/glibc-dynamic, gcc -g -O2 -pthread, built by ./insight build): it cannot see lock "
                + "order in a static binary. Callgrind runs the static %s build, the binary InSight records.%n", libc));
        if (!valgrind) {
            s.append(String.format("valgrind not found on PATH: the Helgrind and Callgrind columns are not measured "
                    + "(install the package %s)%n", ValgrindPeer.PACKAGE));
        }
        return s.toString();
    }

    /** Both rows of one workload (the one it is not in is unused). */
    private record Measured(LockRow lockRow, FunctionRow functionRow) {
    }

    private Measured measure(Workload w, boolean vm) throws IOException, InterruptedException {
        Path program = guests.resolve(libc).resolve(w.name());
        Path dynamic = guests.resolve("glibc-dynamic").resolve(w.name());
        Samples s = new Samples(repeat);
        List<String> problems = new ArrayList<>();
        long lockEvents = 0;
        long functionEvents = 0;
        Integer findings = null;
        Integer lockOrders = null;
        FunctionProfile profile = null;
        Map<Long, String> ownFiles = Map.of();
        CallgrindCalls callgrind = null;
        if (!Files.isExecutable(program)) {
            problems.add(program + ": not built (./insight build builds the guests into build/guests)");
        }
        for (int i = 0; i < repeat && problems.isEmpty(); i++) {
            NativeRun n = NativeRun.of(program, w.args(), ValgrindPeer.TIMEOUT_MILLIS);
            s.nat[i] = n.timedOut() || n.exitStatus() != 0 ? null : n.wallNanos();
            if (s.nat[i] == null) {
                problems.add("native run " + (n.timedOut() ? "timed out" : "exited with " + n.exitStatus()));
            }
            if (vm) {
                Path trace = Files.createTempFile("insight-bench-", ".insight");
                try {
                    long t0 = System.nanoTime();
                    ExitStatus exit = record(program, w.args(), trace);
                    s.rec[i] = System.nanoTime() - t0;
                    if (exit.status() != 0) {
                        // an actual deadlock under the chaos schedule, for one: not the workload's whole run
                        problems.add("recorded run: " + exit.description() + " (status " + exit.status() + ")");
                    }
                    if (w.locks()) {
                        t0 = System.nanoTime();
                        // the deadlock analysis alone, as Helgrind's lock order: its lock calls need no exit
                        AnalysisResult r = analyze(trace, List.of(DeadlockAnalyzer.ID));
                        s.lockAn[i] = System.nanoTime() - t0;
                        lockEvents = r.events();
                        findings = r.deadlocks().findings().size();
                    }
                    if (w.functions()) {
                        t0 = System.nanoTime();
                        AnalysisResult r = analyze(trace, List.of(FunctionProfileAnalyzer.ID));
                        s.fnAn[i] = System.nanoTime() - t0;
                        functionEvents = r.events();
                        profile = r.functions();
                        ownFiles = ownFunctions(r, w.source());
                    }
                } catch (DivergenceException e) {
                    problems.add("analysis replay diverged: " + e.getMessage());
                } catch (RuntimeException e) {
                    problems.add("record/analysis: " + e.getMessage());
                } finally {
                    Files.deleteIfExists(trace);
                }
            }
            if (valgrind.isPresent() && w.locks()) {
                if (!Files.isExecutable(dynamic)) {
                    problems.add(dynamic + ": not built (./insight build builds it)");
                } else {
                    ValgrindPeer.Run h = valgrind.get().helgrind(dynamic, w.args());
                    String p = h.problem("Helgrind");
                    if (p != null) {
                        problems.add(p);
                    } else {
                        s.hg[i] = h.wallNanos();
                        lockOrders = ValgrindPeer.lockOrders(h.report());
                    }
                }
            }
            if (valgrind.isPresent() && w.functions()) {
                Path file = Files.createTempFile("insight-callgrind-", ".out");
                try {
                    ValgrindPeer.Run c = valgrind.get().callgrind(program, w.args(), file);
                    String p = c.problem("Callgrind");
                    if (p != null) {
                        problems.add(p);
                    } else {
                        s.cg[i] = c.wallNanos();
                        callgrind = CallgrindCalls.parse(new String(Files.readAllBytes(file),
                                StandardCharsets.UTF_8));
                    }
                } finally {
                    Files.deleteIfExists(file);
                }
            }
        }
        String note = problems.isEmpty() ? (valgrind.isEmpty() ? "valgrind: not measured" : null)
                : String.join("; ", problems.stream().distinct().toList());
        LockRow lockRow = new LockRow(w.name(), s.median(s.nat), s.median(s.rec), s.median(s.lockAn), lockEvents,
                findings, s.median(s.hg), lockOrders, note);
        FunctionRow functionRow = new FunctionRow(w.name(), s.median(s.nat), s.median(s.rec), s.median(s.fnAn),
                functionEvents, s.median(s.cg), counts(profile, ownFiles, callgrind, w.source()), note);
        return new Measured(lockRow, functionRow);
    }

    /** Per-run figures in nanoseconds, null where a run was not measured. */
    private static final class Samples {
        final Long[] nat;
        final Long[] rec;
        final Long[] lockAn;
        final Long[] fnAn;
        final Long[] hg;
        final Long[] cg;

        Samples(int n) {
            nat = new Long[n];
            rec = new Long[n];
            lockAn = new Long[n];
            fnAn = new Long[n];
            hg = new Long[n];
            cg = new Long[n];
        }

        /** The median when every run was measured, else null (a partial median is not a figure). */
        Long median(Long[] values) {
            long[] v = new long[values.length];
            for (int i = 0; i < values.length; i++) {
                if (values[i] == null) {
                    return null;
                }
                v[i] = values[i];
            }
            return BenchMeasure.median(v);
        }
    }

    /** Records {@code program} as {@code insight record --mode locks --chaos 7} does; returns how it ended. */
    private static ExitStatus record(Path program, List<String> args, Path trace) throws IOException {
        List<String> argv = new ArrayList<>();
        argv.add(program.toString());
        argv.addAll(args);
        return BenchMeasure.record(program, argv, SyncMode.LOCKS, OptionalLong.of(CHAOS_SEED), trace,
                (fd, data, off, len) -> {
                    // the guest's output is not part of the figures
                }).outcome().exit();
    }

    /** {@code insight analyze} of {@code trace} with these analyzers (the report itself is not written). */
    private static AnalysisResult analyze(Path trace, List<String> analyzers) throws IOException {
        return ReplayAnalysis.run(trace, (fd, data, off, len) -> {
            // the guest's output is checked by its digests during the replay
        }, ReplayOptions.onThisHost(), analyzers);
    }

    /** The profiled functions whose entry InSight's source lines place in {@code source}, by address. */
    static Map<Long, String> ownFunctions(AnalysisResult r, String source) {
        Map<Long, String> own = new LinkedHashMap<>();
        for (FunctionProfile.Function f : r.functions().functions()) {
            SourceLocation.Frame top = r.lines().at(f.address()).top();
            if (top.file() != null && Path.of(top.file()).getFileName().toString().equals(source)) {
                own.put(f.address(), r.functions().name(f.address()));
            }
        }
        return own;
    }

    /**
     * The calls of the program's own functions (those of {@code ownFiles}, and those Callgrind places in
     * {@code source} that InSight never saw enter) in InSight's profile and in Callgrind's.
     */
    static List<CallCount> counts(FunctionProfile profile, Map<Long, String> own, CallgrindCalls callgrind,
            String source) {
        Map<String, Long> insight = new LinkedHashMap<>();
        boolean profiled = profile != null;
        if (profiled) {
            for (FunctionProfile.Function f : profile.functions()) {
                String name = own.get(f.address());
                if (name != null) {
                    insight.merge(name, f.calls(), Long::sum);
                }
            }
        }
        if (callgrind != null) {
            callgrind.files().forEach((fn, file) -> {
                if (Path.of(file).getFileName().toString().equals(source) && callgrind.callsOf(fn) > 0) {
                    insight.putIfAbsent(fn, profiled ? 0L : null);
                }
            });
        }
        List<CallCount> counts = new ArrayList<>();
        // a function Callgrind places in the source that the exact profile never saw enter counts 0 there: it differs
        insight.forEach((fn, calls) -> counts.add(new CallCount(fn, calls,
                callgrind == null ? null : callgrind.callsOf(fn))));
        counts.sort((a, b) -> a.function().compareTo(b.function()));
        return counts;
    }
}
