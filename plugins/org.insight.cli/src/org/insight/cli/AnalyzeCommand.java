package org.insight.cli;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.insight.analysis.AnalysisResult;
import org.insight.analysis.ReplayAnalysis;
import org.insight.analysis.deadlock.DeadlockAnalyzer;
import org.insight.analysis.locks.Column;
import org.insight.analysis.locks.LockProfile;
import org.insight.analysis.locks.LockProfileAnalyzer;
import org.insight.analysis.profile.FunctionProfileAnalyzer;
import org.insight.analysis.profile.FunctionScope;
import org.insight.analysis.report.CallgrindWriter;
import org.insight.analysis.report.FoldedStacks;
import org.insight.analysis.report.JsonReport;
import org.insight.analysis.report.ProfileTextReport;
import org.insight.analysis.report.SarifReport;
import org.insight.analysis.report.TextReport;
import org.insight.replay.DivergenceException;
import org.insight.replay.ReplayOptions;
import org.insight.replay.ReplayRefusedException;
import org.insight.replay.trace.TraceException;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code insight analyze}: replays a recording with the analysis hooks and reports what the analyzers found (potential
 * deadlocks and the lock profile unless some analysis is named; the exact function profile with {@code --functions},
 * also as callgrind.out or folded stacks), every address with its function and file:line. The replay must verify; a
 * divergence is reported as by {@code insight replay} and no partial result is printed. The guest's own output is not
 * shown (its digests are still checked).
 */
@Command(name = "analyze", sortOptions = false)
final class AnalyzeCommand implements Callable<Integer>, RunsGuest {
    /** The report formats. */
    enum Format {
        text, json, sarif, callgrind, folded;

        /** A format that only the function profile has. */
        boolean profileOnly() {
            return this == callgrind || this == folded;
        }
    }

    @Parameters(index = "0", paramLabel = "TRACE", descriptionKey = "analyze.trace")
    Path trace;

    @Option(names = "--deadlocks", descriptionKey = "analyze.deadlocks")
    boolean deadlocks;

    @Option(names = "--locks", descriptionKey = "analyze.locks")
    boolean locks;

    @Option(names = "--sort", paramLabel = "COLUMN", descriptionKey = "analyze.sort")
    String sort;

    @Option(names = "--top", paramLabel = "N", descriptionKey = "analyze.top")
    String top;

    @Option(names = "--functions", descriptionKey = "analyze.functions")
    boolean functions;

    @Option(names = "--functions-in", paramLabel = "FILE", split = ",", descriptionKey = "analyze.functionsIn")
    List<String> functionsIn;

    @Option(names = "--format", paramLabel = "text|json|sarif|callgrind|folded", descriptionKey = "analyze.format")
    Format format = Format.text;

    @Option(names = { "-o", "--output" }, paramLabel = "FILE", descriptionKey = "analyze.output")
    Path output;

    @Option(names = "--stats", descriptionKey = "analyze.stats")
    boolean stats;

    @Mixin
    ReplayLimitOption limit = new ReplayLimitOption();

    @Mixin
    VmOption vm = new VmOption();

    @Override
    public VmOption vm() {
        return vm;
    }

    @Override
    public List<Path> writtenFolders() {
        return output == null ? List.of() : List.of(RunsGuest.folderOf(output));
    }

    @Override
    public List<Path> readFolders() {
        return List.of(RunsGuest.folderOf(trace));
    }

    @Override
    public void checkArguments() {
        limit.apply(ReplayOptions.onThisHost());
        lockOrder();
        lockTop();
        if ((sort != null || top != null) && !selected().contains(LockProfileAnalyzer.ID)) {
            throw new UserError(Messages.get("analyze.orderWithoutLocks", sort != null ? "--sort" : "--top"));
        }
        if (!Files.isRegularFile(trace)) {
            throw new UserError(trace + ": no such recording");
        }
        ReplayCommand.checkReadable(trace);
        if (output != null && !Files.isDirectory(RunsGuest.folderOf(output))) {
            throw new UserError("-o " + output + ": no such folder " + RunsGuest.folderOf(output));
        }
        checkFormat();
    }

    /** The profile formats hold the function profile alone, SARIF the potential deadlocks. */
    void checkFormat() {
        boolean functions = profiling();
        if (format.profileOnly() && !functions) {
            throw new UserError("--format " + format + " is a function profile's format: add --functions");
        }
        if (format.profileOnly() && (deadlocks || locks)) {
            throw new UserError("--format " + format + " holds only the function profile: leave out "
                    + (deadlocks ? "--deadlocks" : "--locks"));
        }
        if (format == Format.sarif && !selected().contains(DeadlockAnalyzer.ID)) {
            throw new UserError("--format sarif holds only potential deadlocks: add --deadlocks, or choose another"
                    + " format for " + (functions ? "--functions" : "--locks"));
        }
        if (format == Format.sarif && (locks || functions)) {
            // SARIF's results are findings; a profile has no place there, and would be dropped without a word
            throw new UserError("--format sarif holds only the deadlock findings: leave out "
                    + (locks ? "--locks" : "--functions") + ", or use --format text or json for the profiles");
        }
    }

    /**
     * The analyzers asked for: those named by their options, or, when none is, the default ones (potential deadlocks
     * and the lock profile; the exact function profile costs exits on every call, so it runs only when named).
     */
    List<String> selected() {
        boolean functions = profiling();
        if (!deadlocks && !locks && !functions) {
            // SARIF holds the findings alone: the default lock profile would be computed for nothing
            return format == Format.sarif ? List.of(DeadlockAnalyzer.ID) : ReplayAnalysis.DEFAULT;
        }
        List<String> ids = new ArrayList<>();
        if (deadlocks) {
            ids.add(DeadlockAnalyzer.ID);
        }
        if (locks) {
            ids.add(LockProfileAnalyzer.ID);
        }
        if (functions) {
            ids.add(FunctionProfileAnalyzer.ID);
        }
        return ids;
    }

    /** The lock profile's column from --sort (its default without). */
    Column lockOrder() {
        if (sort == null) {
            return LockProfile.DEFAULT_ORDER;
        }
        return Column.parse(sort).orElseThrow(() -> new UserError(Messages.get("analyze.badSort", sort, String.join(
                ", ", Column.labels()))));
    }

    /** How many locks --top shows, 0 (all) without it. */
    int lockTop() {
        if (top == null) {
            return 0;
        }
        try {
            int n = Integer.parseInt(top.strip());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException notANumber) {
            // the message below says what is wanted
        }
        throw new UserError(Messages.get("analyze.badTop", top));
    }

    /** Whether the function profile runs: --functions, or --functions-in naming the files to profile. */
    private boolean profiling() {
        return functions || functionsIn != null;
    }

    /** The functions the profile hooks: every sized one, or those defined in the --functions-in files. */
    FunctionScope scope() {
        return functionsIn == null ? FunctionScope.ALL : FunctionScope.inFiles(functionsIn);
    }

    @Override
    public Integer call() throws IOException {
        checkArguments();
        return report(trace, format, output, System.out, selected(), scope(), lockOrder(), lockTop(),
                limit.apply(ReplayOptions.onThisHost()), stats ? statsOnStderr() : ReplayAnalysis.Listener.NONE);
    }

    /**
     * {@link #report(Path, Format, Path, PrintStream, List, FunctionScope, Column, int, ReplayOptions)} of the default
     * analyzers, in
     * default order, with the default replay limits.
     */
    static int report(Path trace, Format format, Path output, PrintStream console) throws IOException {
        return report(trace, format, output, console,
                format == Format.sarif ? List.of(DeadlockAnalyzer.ID) : ReplayAnalysis.DEFAULT, FunctionScope.ALL,
                LockProfile.DEFAULT_ORDER, 0, ReplayOptions.onThisHost());
    }

    /**
     * Analyzes {@code trace} (a replay with the analysis hooks, which must verify) and writes the report to
     * {@code output}, or to {@code console} when it is null (left open). Also used by {@code record --analyze} and
     * {@code demo}, in the JVM and on the machine that recorded. Findings are the report's content, not a failure.
     *
     * @param analyzers the ids of the analyzers to run
     * @param scope     the functions the function profile hooks, if it runs
     * @param lockOrder the lock profile's sort column
     * @param lockTop   how many locks the lock profile shows, 0 for all
     * @param replay    where and how long the replay may run (host, limits)
     * @return 0 when the report was written, {@link ReplayCommand#DIVERGED} when the replay diverged (then one line
     *         on stderr and no report)
     * @throws UserError when the recording cannot be replayed here or read
     */
    static int report(Path trace, Format format, Path output, PrintStream console, List<String> analyzers,
            FunctionScope scope, Column lockOrder, int lockTop, ReplayOptions replay) throws IOException {
        return report(trace, format, output, console, analyzers, scope, lockOrder, lockTop, replay,
                ReplayAnalysis.Listener.NONE);
    }

    /** The analysis replays' statistics on stderr ({@code --stats}). */
    static ReplayAnalysis.Listener statsOnStderr() {
        return new ReplayAnalysis.Listener() {
            @Override
            public void replayed(org.insight.vmm.machine.RunResult run) {
                System.err.println("insight: stats: " + Messages.get("analyze.statsReplay"));
                RunCommand.report(run, true, System.err);
            }

            @Override
            public void stacksReplayed(int edges, long frames, long of) {
                System.err.println("insight: stats: " + Messages.get(frames == of ? "analyze.statsStacksToTheEnd"
                        : "analyze.statsStacks", edges, frames, of));
            }
        };
    }

    /** As above, telling {@code listener} of the replays. */
    static int report(Path trace, Format format, Path output, PrintStream console, List<String> analyzers,
            FunctionScope scope, Column lockOrder, int lockTop, ReplayOptions replay,
            ReplayAnalysis.Listener listener) throws IOException {
        if (format.profileOnly() && !analyzers.contains(FunctionProfileAnalyzer.ID)) {
            throw new UserError("--analyze-format " + format + " is a function profile's format: use insight analyze"
                    + " --functions");
        }
        AnalysisResult result;
        try {
            result = ReplayAnalysis.run(trace, (fd, data, off, len) -> {
                // the guest's output is not part of the report; its digests are checked all the same
            }, replay, analyzers, scope, listener);
        } catch (DivergenceException e) {
            System.err.println("insight: replay diverged, no analysis result: " + e.getMessage());
            return ReplayCommand.DIVERGED;
        } catch (ReplayRefusedException | TraceException | FunctionScope.ScopeException e) {
            throw new UserError(e.getMessage());
        } catch (RuntimeException e) {
            // the scope is chosen as the replay's machine starts, which may wrap what it throws
            for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                if (c instanceof FunctionScope.ScopeException s) {
                    throw new UserError(s.getMessage());
                }
            }
            throw e;
        }
        if (result.locks() != null) {
            result = result.withLocks(result.locks().ordered(lockOrder, lockTop));
        }
        if (output == null) {
            // The console is not ours to close (System.out: the demo and record print more after the report).
            PrintWriter out = new PrintWriter(new OutputStreamWriter(console, StandardCharsets.UTF_8), false);
            write(result, format, out);
            out.flush();
        } else {
            try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(output, StandardCharsets.UTF_8))) {
                write(result, format, out);
                if (out.checkError()) { // a PrintWriter keeps its I/O errors to itself: a full disk, a closed pipe
                    throw new UserError(output + ": the report could not be written whole (disk full?)");
                }
            }
            System.err.println("insight: " + result.verification() + "; report written to " + output);
        }
        return 0;
    }

    private static void write(AnalysisResult result, Format format, PrintWriter out) {
        switch (format) {
        case text -> {
            TextReport.write(result, out);
            if (result.functions() != null) {
                ProfileTextReport.write(result.functions(), result.lines(), out);
            }
        }
        case json -> JsonReport.write(result, out);
        case sarif -> SarifReport.write(result, out);
        case callgrind -> CallgrindWriter.write(result.functions(), result.lines(), result.program(), out);
        case folded -> FoldedStacks.write(result.functions(), FoldedStacks.Metric.TIME, out);
        }
    }
}
