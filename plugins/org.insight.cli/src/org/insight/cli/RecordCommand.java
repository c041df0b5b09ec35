package org.insight.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Callable;

import org.insight.replay.RecordSession;
import org.insight.replay.VmmLauncher;
import org.insight.replay.trace.GuestBinary;
import org.insight.replay.trace.GuestOutcome;
import org.insight.replay.trace.GuestProgram;
import org.insight.replay.trace.RecordingConfig;
import org.insight.replay.trace.TraceHeader;
import org.insight.replay.trace.TraceTrailer;
import org.insight.replay.trace.TraceWriter;
import org.insight.symbols.ElfImage;
import org.insight.vmm.GuestRun;
import org.insight.vmm.inputs.Chaos;
import org.insight.vmm.inputs.LiveInputs;
import org.insight.vmm.inputs.RoundRobin;
import org.insight.vmm.inputs.SchedulingPolicy;
import org.insight.vmm.inputs.StdinSource;
import org.insight.vmm.linux.OutputSink;
import org.insight.vmm.machine.RunOptions;
import org.insight.vmm.machine.RunResult;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code insight record}: runs a program live and writes every input it receives to a trace. */
@Command(name = "record", sortOptions = false)
final class RecordCommand implements Callable<Integer>, RunsGuest {
    @Option(names = { "-o", "--output" }, required = true, paramLabel = "FILE", descriptionKey = "record.output")
    Path output;

    @Option(names = "--chaos", paramLabel = "SEED", descriptionKey = "record.chaos")
    Long chaosSeed;

    @Option(names = "--stats", descriptionKey = "run.stats")
    boolean stats;

    /** A trace that grows past this stops the recording (4 GiB: hours of a normal program's inputs). */
    static final long DEFAULT_MAX_TRACE_BYTES = 4L << 30;

    @Option(names = "--max-trace-size", paramLabel = "SIZE", converter = SizeConverter.class,
            descriptionKey = "record.maxTraceSize")
    Long maxTraceSize;

    @Option(names = "--analyze", descriptionKey = "record.analyze")
    boolean analyze;

    @Option(names = "--analyze-output", paramLabel = "FILE", descriptionKey = "record.analyzeOutput")
    Path analyzeOutput;

    @Option(names = "--analyze-format", paramLabel = "text|json|sarif", descriptionKey = "record.analyzeFormat")
    AnalyzeCommand.Format analyzeFormat;

    @Mixin
    GuestOptions guest = new GuestOptions();

    @Mixin
    VmOption vm = new VmOption();

    @Override
    public VmOption vm() {
        return vm;
    }

    @Override
    public void checkArguments() {
        guest.check();
        checkOutputFolder();
        if (analyzeFormat != null && analyzeFormat.profileOnly()) {
            throw new UserError("--analyze-format " + analyzeFormat + " is a function profile's format, which record"
                    + " --analyze does not run: use text, json or sarif, or insight analyze --functions afterwards");
        }
    }

    /** Whether the recording is analyzed once it has ended: --analyze, or one of the options that shape its report. */
    boolean analyzing() {
        return analyze || analyzeOutput != null || analyzeFormat != null;
    }

    private void checkOutputFolder() {
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new UserError("-o " + output + ": the folder " + parent + " does not exist");
        }
        if (analyzeOutput != null) {
            if (!Files.isDirectory(RunsGuest.folderOf(analyzeOutput))) {
                throw new UserError("--analyze-output " + analyzeOutput + ": no such folder "
                        + RunsGuest.folderOf(analyzeOutput));
            }
            if (analyzeOutput.toAbsolutePath().normalize().equals(output.toAbsolutePath().normalize())) {
                throw new UserError("--analyze-output " + analyzeOutput + " is the recording itself (-o)");
            }
        }
    }

    @Override
    public List<Path> readFolders() {
        return guest.readFolders();
    }

    @Override
    public boolean readsHostStdin() {
        return guest.stdin == null;
    }

    @Override
    public List<Path> writtenFolders() {
        List<Path> folders = new ArrayList<>();
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) {
            folders.add(parent);
        }
        if (analyzeOutput != null && !folders.contains(RunsGuest.folderOf(analyzeOutput))) {
            folders.add(RunsGuest.folderOf(analyzeOutput));
        }
        return folders;
    }

    private long maxTraceBytes() {
        return maxTraceSize == null ? DEFAULT_MAX_TRACE_BYTES : maxTraceSize;
    }

    @Override
    public Integer call() throws IOException {
        // here too, not only before a nested machine starts: with /dev/kvm nothing else checks them before the run
        checkArguments();
        Path program = guest.program();
        RunOptions options = guest.toRunOptions(StdinSource.host());
        ElfImage image = ElfImage.read(program);
        GuestBinary binary = GuestBinary.of(GuestRun.executablePath(program), image.bytes(), image.buildId());
        RecordingConfig config = new RecordingConfig(options.syncMode(), options.timeSlice(),
                chaosSeed == null ? OptionalLong.empty() : OptionalLong.of(chaosSeed), options.memoryCap(),
                options.watchdogPeriod(), options.maxThreads());
        TraceHeader header = TraceHeader.forRecording(new GuestProgram(binary, options.argv(), options.env(),
                options.files()), config);
        SchedulingPolicy policy = chaosSeed == null ? new RoundRobin(options.timeSlice()) : new Chaos(chaosSeed);
        VmmLauncher launcher = new VmmLauncher(options.wallLimit());
        GuestOutcome outcome;
        TraceTrailer trailer;
        try (LiveInputs live = new LiveInputs(options.stdin(), policy);
                RecordSession session = RecordSession.start(output, header, live, OutputSink.host(), launcher,
                        TraceWriter.Options.DEFAULT, maxTraceBytes())) {
            outcome = session.run();
            trailer = session.trailer().orElseThrow();
        } catch (RecordSession.TraceLimitTooSmallException e) {
            throw new UserError("--max-trace-size " + maxTraceBytes() + ": " + e.getMessage()
                    + "; give a larger size");
        }
        launcher.lastResult().ifPresent(r -> RunCommand.report(r, stats, System.err));
        System.err.printf("insight: recorded %d frames in %d blocks to %s (%d bytes)%n", trailer.frameCount(),
                trailer.blockCount(), output, Files.size(output));
        if (RunResult.TRACE_LIMIT_DESCRIPTION.equals(outcome.exit().description())) {
            System.err.printf("insight: the trace reached --max-trace-size (%d bytes): the guest was stopped there;"
                    + " the recording is complete up to that point and replays up to it%n", maxTraceBytes());
        }
        int status = outcome.exit().status();
        if (analyzing()) {
            // After the guest's output and the summary; on stderr (stdout is the guest's) unless a file is given.
            System.err.println("insight: analyzing the recording (a replay with the analysis hooks)");
            System.err.flush();
            int analyzed = AnalyzeCommand.report(output, analyzeFormat == null ? AnalyzeCommand.Format.text
                    : analyzeFormat, analyzeOutput, System.err);
            if (analyzed != 0) {
                return analyzed;
            }
        }
        return status;
    }

}
