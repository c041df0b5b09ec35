package org.insight.cli;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import org.insight.analysis.AnalysisResult;
import org.insight.analysis.ReplayAnalysis;
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
 * deadlocks by default; the exact function profile with {@code --functions}, also as callgrind.out or folded stacks),
 * every address with its function and file:line. The replay must verify; a divergence is
 * reported as by {@code insight replay} and no partial result is printed. The guest's own output is not shown (its
 * digests are still checked).
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

    @Option(names = "--functions", descriptionKey = "analyze.functions")
    boolean functions;

    @Option(names = "--functions-in", paramLabel = "FILE", split = ",", descriptionKey = "analyze.functionsIn")
    List<String> functionsIn;

    @Option(names = "--format", paramLabel = "text|json|sarif|callgrind|folded", descriptionKey = "analyze.format")
    Format format = Format.text;

    @Option(names = { "-o", "--output" }, paramLabel = "FILE", descriptionKey = "analyze.output")
    Path output;

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
        if (!Files.isRegularFile(trace)) {
            throw new UserError(trace + ": no such recording");
        }
        ReplayCommand.checkReadable(trace);
        if (output != null && !Files.isDirectory(RunsGuest.folderOf(output))) {
            throw new UserError("-o " + output + ": no such folder " + RunsGuest.folderOf(output));
        }
        analyses();
    }

    /** The analyses asked for: none named is the default (potential deadlocks); the profile formats need --functions. */
    ReplayAnalysis.Analyses analyses() {
        boolean functions = this.functions || functionsIn != null;
        if (format.profileOnly() && !functions) {
            throw new UserError("--format " + format + " is a function profile's format: add --functions");
        }
        if (format.profileOnly() && deadlocks) {
            throw new UserError("--format " + format + " holds only the function profile: leave out --deadlocks");
        }
        if (format == Format.sarif && !deadlocks && functions) {
            throw new UserError("--format sarif holds only potential deadlocks: add --deadlocks, or choose another"
                    + " format for --functions");
        }
        return deadlocks || functions ? new ReplayAnalysis.Analyses(deadlocks, functions,
                functionsIn == null ? FunctionScope.ALL : FunctionScope.inFiles(functionsIn)) : ReplayAnalysis.Analyses.DEFAULT;
    }

    @Override
    public Integer call() throws IOException {
        checkArguments();
        return report(trace, analyses(), format, output, System.out);
    }

    /**
     * Analyzes {@code trace} (a replay with the analysis hooks, which must verify) and writes the report to
     * {@code output}, or to {@code console} when it is null (left open). Also used by {@code record --analyze} and
     * {@code demo}, in the JVM and on the machine that recorded. Findings are the report's content, not a failure.
     *
     * @return 0 when the report was written, {@link ReplayCommand#DIVERGED} when the replay diverged (then one line
     *         on stderr and no report)
     * @throws UserError when the recording cannot be replayed here or read
     */
    static int report(Path trace, Format format, Path output, PrintStream console) throws IOException {
        if (format.profileOnly()) {
            throw new UserError("--analyze-format " + format + " is a function profile's format: use insight analyze"
                    + " --functions");
        }
        return report(trace, ReplayAnalysis.Analyses.DEFAULT, format, output, console);
    }

    /** As {@link #report(Path, Format, Path, PrintStream)}, with the {@code chosen} analyses. */
    static int report(Path trace, ReplayAnalysis.Analyses chosen, Format format, Path output, PrintStream console)
            throws IOException {
        AnalysisResult result;
        try {
            result = ReplayAnalysis.run(trace, (fd, data, off, len) -> {
                // the guest's output is not part of the report; its digests are checked all the same
            }, ReplayOptions.onThisHost(), chosen);
        } catch (DivergenceException e) {
            System.err.println("insight: replay diverged, no analysis result: " + e.getMessage());
            return ReplayCommand.DIVERGED;
        } catch (ReplayRefusedException | TraceException e) {
            throw new UserError(e.getMessage());
        }
        if (output == null) {
            // The console is not ours to close (System.out: the demo and record print more after the report).
            PrintWriter out = new PrintWriter(new OutputStreamWriter(console, StandardCharsets.UTF_8), false);
            write(result, format, out);
            out.flush();
        } else {
            try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(output, StandardCharsets.UTF_8))) {
                write(result, format, out);
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
