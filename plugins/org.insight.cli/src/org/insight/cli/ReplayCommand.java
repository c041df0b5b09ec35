package org.insight.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import org.insight.replay.DivergenceException;
import org.insight.replay.ReplayOptions;
import org.insight.replay.ReplayRefusedException;
import org.insight.replay.ReplaySession;
import org.insight.replay.VmmLauncher;
import org.insight.replay.trace.GuestOutcome;
import org.insight.replay.trace.TraceException;
import org.insight.replay.trace.TraceReader;
import org.insight.vmm.linux.OutputSink;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code insight replay}: runs a recording again from its trace, prints the guest's output again, and proves the
 * replay is the same execution (every input question matches, outputs and final memory digests match).
 */
@Command(name = "replay", sortOptions = false)
final class ReplayCommand implements Callable<Integer>, RunsGuest {
    /** Status of a replay that diverged from its recording. */
    static final int DIVERGED = 3;

    @Parameters(index = "0", paramLabel = "TRACE", descriptionKey = "replay.trace")
    Path trace;

    @Option(names = "--binary", paramLabel = "FILE", descriptionKey = "replay.binary")
    Path binary;

    @Option(names = "--stats", descriptionKey = "run.stats")
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
    public List<Path> readFolders() {
        return binary == null ? List.of(RunsGuest.folderOf(trace))
                : List.of(RunsGuest.folderOf(trace), RunsGuest.folderOf(binary));
    }

    @Override
    public void checkArguments() {
        limit.apply(ReplayOptions.onThisHost());
        if (!Files.isRegularFile(trace)) {
            throw new UserError(trace + ": no such recording");
        }
        ReplayCommand.checkReadable(trace);
        if (binary != null && !Files.isRegularFile(binary)) {
            throw new UserError("--binary " + binary + ": no such file");
        }
    }

    /**
     * Opens the recording's header and block index here, before a nested machine starts: a file that is no recording,
     * or a damaged one, is the same one line as in the replay, without a machine start first.
     */
    static void checkReadable(Path trace) {
        try (TraceReader reader = TraceReader.open(trace)) {
            // the header and the blocks' heads read: enough
        } catch (TraceException e) {
            throw new UserError(e.getMessage());
        } catch (IOException e) {
            throw new UserError(trace + ": cannot be read: " + e.getMessage());
        }
    }

    @Override
    public Integer call() throws IOException {
        checkArguments();
        ReplayOptions options = limit.apply(ReplayOptions.onThisHost());
        if (binary != null) {
            options = options.withBinary(binary);
        }
        VmmLauncher launcher = new VmmLauncher(null);
        try (ReplaySession session = ReplaySession.open(trace, OutputSink.host(), launcher, options)) {
            GuestOutcome outcome = session.run();
            launcher.lastResult().ifPresent(r -> RunCommand.report(r, stats, System.err));
            System.err.println("insight: " + session.verification().orElseThrow());
            // A recording stopped at its wall-clock limit replays up to the stop and has no end state of its own.
            return outcome != null ? outcome.exit().status() : session.trailer().outcome().exit().status();
        } catch (DivergenceException e) {
            // what the run did up to the divergence, when it got that far (a digest differing at the end)
            launcher.lastResult().ifPresent(r -> RunCommand.report(r, stats, System.err));
            System.err.println("insight: replay diverged: " + e.getMessage());
            return DIVERGED;
        } catch (ReplayRefusedException | TraceException e) {
            throw new UserError(e.getMessage());
        }
    }
}
