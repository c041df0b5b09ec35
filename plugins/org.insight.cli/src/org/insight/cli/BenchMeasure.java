package org.insight.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;

import org.insight.replay.DivergenceException;
import org.insight.replay.RecordSession;
import org.insight.replay.ReplayLimits;
import org.insight.replay.ReplayOptions;
import org.insight.replay.ReplaySession;
import org.insight.replay.VmmLauncher;
import org.insight.replay.trace.GuestBinary;
import org.insight.replay.trace.GuestOutcome;
import org.insight.replay.trace.GuestProgram;
import org.insight.replay.trace.RecordingConfig;
import org.insight.replay.trace.TraceHeader;
import org.insight.symbols.ElfImage;
import org.insight.vmm.GuestRun;
import org.insight.vmm.inputs.Chaos;
import org.insight.vmm.inputs.LiveInputs;
import org.insight.vmm.inputs.RoundRobin;
import org.insight.vmm.inputs.SchedulingPolicy;
import org.insight.vmm.inputs.StdinSource;
import org.insight.vmm.linux.CapturedOutput;
import org.insight.vmm.linux.OutputSink;
import org.insight.vmm.machine.RunOptions;
import org.insight.vmm.machine.RunResult;
import org.insight.vmm.machine.RunStats;
import org.insight.vmm.machine.SyncMode;

/**
 * One row of {@code insight bench}: the workload natively, in the VM ({@code insight run}), recorded as the row says
 * and replayed verified, {@code repeat} times alternately in this process; the medians go in the table.
 * <p>
 * A replay gets a time limit of its own ({@link #replayLimit}), so that the bench ends: a replay that reaches it is a
 * measurement too (the replay takes at least that long), shown as such, and its row is not repeated.
 */
final class BenchMeasure {
    /** A replay may take this many times its recording, and at least {@link #REPLAY_FLOOR}. */
    static final int REPLAY_FACTOR = 30;
    static final Duration REPLAY_FLOOR = Duration.ofSeconds(60);
    /** How {@code ReplayWatchdog} words a stop at the time limit, which is a figure here, not a failure. */
    static final String TIME_LIMIT_REASON = "reached its time limit";
    /** The notes column of a row whose replay was stopped at its limit. */
    static final String LIMIT_NOTE = "replay stopped at its time limit (" + REPLAY_FACTOR + "x the recording, at least "
            + REPLAY_FLOOR.toSeconds() + " s)";

    /**
     * Medians of one workload, in nanoseconds; VM figures are null when the VM was not measured. With
     * {@code replayLimited} the replay was stopped at its limit, and {@code replayNanos} is that limit: a lower bound.
     * {@code problem} is a failure (a wrong output, a run that failed), null when there was none; a stop at the
     * replay's limit is not one.
     */
    record Row(BenchWorkload workload, long nativeNanos, Long vmNanos, Long recordNanos, Long replayNanos,
            boolean replayLimited, long traceBytes, long frames, RunStats stats, String problem, RunStats recordStats) {
        /** Without the recording's statistics. */
        Row(BenchWorkload workload, long nativeNanos, Long vmNanos, Long recordNanos, Long replayNanos,
                boolean replayLimited, long traceBytes, long frames, RunStats stats, String problem) {
            this(workload, nativeNanos, vmNanos, recordNanos, replayNanos, replayLimited, traceBytes, frames, stats,
                    problem, null);
        }
    }

    private BenchMeasure() {
    }

    /** The replay's time limit after a recording that took {@code recordNanos}. */
    static Duration replayLimit(long recordNanos) {
        Duration scaled = Duration.ofNanos(recordNanos).multipliedBy(REPLAY_FACTOR);
        return scaled.compareTo(REPLAY_FLOOR) > 0 ? scaled : REPLAY_FLOOR;
    }

    static Row measure(Path program, BenchWorkload w, boolean vm, int repeat) throws Exception {
        List<Long> nat = new ArrayList<>();
        List<Long> plain = new ArrayList<>();
        List<Long> rec = new ArrayList<>();
        List<Long> rep = new ArrayList<>();
        RunStats lastStats = null;
        RunStats recordStats = null;
        String problem = null;
        boolean limited = false;
        long traceBytes = 0;
        long frames = 0;
        List<String> argv = new ArrayList<>();
        argv.add(program.toString());
        argv.addAll(w.args());
        for (int i = 0; i < repeat && !limited; i++) {
            NativeRun n = NativeRun.of(program, w.args(), 600_000);
            if (n.timedOut() || n.exitStatus() != 0) {
                problem = "native run " + (n.timedOut() ? "timed out" : "exited with " + n.exitStatus());
            }
            nat.add(n.wallNanos());
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
            plain.add(System.nanoTime() - t0);
            lastStats = r.stats();
            if (r.exitStatus() != 0) {
                problem = "VM run: " + r.describe();
            } else if (!Arrays.equals(captured.stdout(), n.stdout())) {
                problem = "VM output differs from the native output";
            }

            Path trace = Files.createTempFile("insight-bench-", ".insight");
            try {
                CapturedOutput recorded = new CapturedOutput();
                t0 = System.nanoTime();
                Recorded made = record(program, argv, w.mode(), w.chaos(), trace, recorded);
                frames = made.frames();
                recordStats = made.stats();
                long recorded0 = System.nanoTime() - t0;
                rec.add(recorded0);
                traceBytes = Files.size(trace);
                CapturedOutput replayed = new CapturedOutput();
                Duration limit = replayLimit(recorded0);
                t0 = System.nanoTime();
                try (ReplaySession s = ReplaySession.open(trace, replayed, new VmmLauncher(null),
                        ReplayOptions.onThisHost().withLimits(new ReplayLimits(limit, null)))) {
                    s.run();
                } catch (DivergenceException e) {
                    // the watchdog's stop, not a divergence: it says so (ReplayWatchdog)
                    if (e.getMessage() == null || !e.getMessage().contains(TIME_LIMIT_REASON)) {
                        throw e;
                    }
                    limited = true;
                }
                rep.add(limited ? limit.toNanos() : System.nanoTime() - t0);
                if (!limited && !Arrays.equals(recorded.stdout(), replayed.stdout())) {
                    problem = "replayed output differs from the recorded output";
                }
            } catch (RuntimeException e) {
                problem = "record/replay: " + e.getMessage();
            } finally {
                Files.deleteIfExists(trace);
            }
        }
        return new Row(w, median(nat), vm ? median(plain) : null, rec.isEmpty() ? null : median(rec),
                rep.isEmpty() ? null : median(rep), limited, traceBytes, frames, lastStats, problem, recordStats);
    }

    /** A recording's outcome and its frame count. */
    /** A recording's outcome, its frames, and the engine's statistics of it (null when it gave none). */
    record Recorded(GuestOutcome outcome, long frames, RunStats stats) {
    }

    /**
     * Records {@code argv} (the program first) as {@code insight record --mode MODE [--chaos SEED]} does with the
     * default options, into {@code trace}; the guest's output goes to {@code output}. Both benches record this way.
     */
    static Recorded record(Path program, List<String> argv, SyncMode mode, OptionalLong chaos, Path trace,
            OutputSink output) throws IOException {
        RunOptions options = RunOptions.defaults().withArgv(argv).withSyncMode(mode);
        ElfImage image = ElfImage.read(program);
        GuestBinary binary = GuestBinary.of(GuestRun.executablePath(program), image.bytes(), image.buildId());
        RecordingConfig config = new RecordingConfig(mode, options.timeSlice(), chaos, options.memoryCap(),
                options.watchdogPeriod(), options.maxThreads());
        TraceHeader header = TraceHeader.forRecording(new GuestProgram(binary, argv, List.of()), config);
        SchedulingPolicy policy = chaos.isPresent() ? new Chaos(chaos.getAsLong()) : new RoundRobin(options.timeSlice());
        VmmLauncher launcher = new VmmLauncher(null);
        try (LiveInputs live = new LiveInputs(StdinSource.empty(), policy);
                RecordSession s = RecordSession.start(trace, header, live, output, launcher)) {
            GuestOutcome outcome = s.run();
            return new Recorded(outcome, s.frames(), launcher.lastResult().map(RunResult::stats).orElse(null));
        }
    }

    /** The median (the upper one of an even count); 0 for none. */
    static long median(List<Long> values) {
        return values.isEmpty() ? 0 : median(values.stream().mapToLong(Long::longValue).toArray());
    }

    /** The median of {@code values} (the upper one of an even count), which are left as they are. */
    static long median(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }
}
