package org.insight.cli;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import org.insight.analysis.AnalysisResult;
import org.insight.analysis.ReplayAnalysis;
import org.insight.analysis.report.JsonReport;
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
 * {@code insight analyze}: replays a recording with the analysis hooks and reports what the analyzers found (for now
 * potential deadlocks), every address with its function and file:line. The replay must verify; a divergence is
 * reported as by {@code insight replay} and no partial result is printed. The guest's own output is not shown (its
 * digests are still checked).
 */
@Command(name = "analyze", sortOptions = false)
final class AnalyzeCommand implements Callable<Integer>, RunsGuest {
    /** The report formats. */
    enum Format {
        text, json, sarif
    }

    @Parameters(index = "0", paramLabel = "TRACE", descriptionKey = "analyze.trace")
    Path trace;

    @Option(names = "--deadlocks", descriptionKey = "analyze.deadlocks")
    boolean deadlocks;

    @Option(names = "--format", paramLabel = "text|json|sarif", descriptionKey = "analyze.format")
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
        return output == null ? List.of() : List.of(folder(output));
    }

    private static Path folder(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        return parent == null ? Path.of("/") : parent;
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
        if (output != null && !Files.isDirectory(folder(output))) {
            throw new UserError("-o " + output + ": no such folder " + folder(output));
        }
    }

    @Override
    public Integer call() throws IOException {
        checkArguments();
        AnalysisResult result;
        try {
            result = ReplayAnalysis.run(trace, (fd, data, off, len) -> {
                // the guest's output is not part of the report; its digests are checked all the same
            }, ReplayOptions.onThisHost());
        } catch (DivergenceException e) {
            System.err.println("insight: replay diverged, no analysis result: " + e.getMessage());
            return ReplayCommand.DIVERGED;
        } catch (ReplayRefusedException | TraceException e) {
            throw new UserError(e.getMessage());
        }
        try (PrintWriter out = output == null
                ? new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), false)
                : new PrintWriter(Files.newBufferedWriter(output, StandardCharsets.UTF_8))) {
            switch (format) {
            case text -> TextReport.write(result, out);
            case json -> JsonReport.write(result, out);
            case sarif -> SarifReport.write(result, out);
            }
        }
        if (output != null) {
            System.err.println("insight: " + result.verification() + "; report written to " + output);
        }
        return 0;
    }
}
