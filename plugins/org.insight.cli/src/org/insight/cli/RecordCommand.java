package org.insight.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
import org.insight.symbols.ElfImage;
import org.insight.vmm.GuestRun;
import org.insight.vmm.inputs.Chaos;
import org.insight.vmm.inputs.LiveInputs;
import org.insight.vmm.inputs.RoundRobin;
import org.insight.vmm.inputs.SchedulingPolicy;
import org.insight.vmm.inputs.StdinSource;
import org.insight.vmm.linux.OutputSink;
import org.insight.vmm.machine.RunOptions;

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
    }

    private void checkOutputFolder() {
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new UserError("-o " + output + ": the folder " + parent + " does not exist");
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
        Path parent = output.toAbsolutePath().getParent();
        return parent == null ? List.of() : List.of(parent);
    }

    @Override
    public Integer call() throws IOException {
        Path program = guest.program();
        RunOptions options = guest.toRunOptions(StdinSource.host());
        checkOutputFolder();
        ElfImage image = ElfImage.read(program);
        GuestBinary binary = GuestBinary.of(GuestRun.executablePath(program), image.bytes(), image.buildId());
        RecordingConfig config = new RecordingConfig(options.syncMode(), options.timeSlice(),
                chaosSeed == null ? OptionalLong.empty() : OptionalLong.of(chaosSeed), options.memoryCap(),
                options.watchdogPeriod(), options.maxThreads());
        TraceHeader header = TraceHeader.forRecording(new GuestProgram(binary, options.argv(), options.env()), config);
        SchedulingPolicy policy = chaosSeed == null ? new RoundRobin(options.timeSlice()) : new Chaos(chaosSeed);
        VmmLauncher launcher = new VmmLauncher(options.wallLimit());
        GuestOutcome outcome;
        TraceTrailer trailer;
        try (LiveInputs live = new LiveInputs(options.stdin(), policy);
                RecordSession session = RecordSession.start(output, header, live, OutputSink.host(), launcher)) {
            outcome = session.run();
            trailer = session.trailer().orElseThrow();
        }
        launcher.lastResult().ifPresent(r -> RunCommand.report(r, stats, System.err));
        System.err.printf("insight: recorded %d frames in %d blocks to %s (%d bytes)%n", trailer.frameCount(),
                trailer.blockCount(), output, Files.size(output));
        return outcome.exit().status();
    }

}
