package org.insight.replay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

import org.insight.replay.trace.ExitStatus;
import org.insight.replay.trace.GuestProgram;
import org.insight.replay.trace.RecordingConfig;
import org.insight.vmm.GuestRun;
import org.insight.vmm.inputs.GuestInputs;
import org.insight.vmm.inputs.StdinSource;
import org.insight.vmm.linux.OutputSink;
import org.insight.vmm.loader.GuestImages;
import org.insight.vmm.machine.CodeObserver;
import org.insight.vmm.machine.RunOptions;
import org.insight.vmm.machine.RunResult;

/**
 * Launches a recorded or to-be-recorded guest on the real machine ({@link GuestRun}). The binary is the one embedded
 * in the trace, written to a private temporary file, and the guest is shown the path it was recorded from, so a replay
 * needs nothing but the trace. The machine never learns whether its inputs record or replay.
 */
public final class VmmLauncher implements GuestLauncher {
    private final Duration wallLimit;
    private RunResult lastResult;
    private Function<GuestImages, CodeObserver> observers = image -> CodeObserver.NONE;

    /** @param wallLimit a recording's wall-clock limit, or null; a replay is never limited (it may not stop early) */
    public VmmLauncher(Duration wallLimit) {
        this.wallLimit = wallLimit;
    }

    /**
     * Runs every guest launched here with a {@link CodeObserver} made from the loaded program: the hooks of an analysis
     * on a replay. They change nothing the guest sees, so the replay still verifies.
     */
    public VmmLauncher withObserver(Function<GuestImages, CodeObserver> factory) {
        this.observers = java.util.Objects.requireNonNull(factory, "factory");
        return this;
    }

    /** The machine's own result of the last run launched here (statistics, reports), once it has ended. */
    public Optional<RunResult> lastResult() {
        return Optional.ofNullable(lastResult);
    }

    @Override
    public GuestExecution launch(GuestProgram program, RecordingConfig config, GuestInputs inputs, OutputSink output) {
        RunOptions options = RunOptions.defaults().withArgv(program.argv()).withEnv(program.env())
                .withStdin(StdinSource.empty()).withMemoryCap(config.memoryCapBytes())
                .withTimeSlice(config.timeSlice()).withWatchdogPeriod(config.watchdogPeriod())
                .withSyncMode(config.syncMode()).withMaxThreads(config.maxThreads())
                .withFiles(program.files()).withCpuid(config.guestCpuid());
        if (wallLimit != null) {
            options = options.withWallLimit(wallLimit);
        }
        RunOptions finalOptions = options;
        return GuestExecution.whole(() -> {
            Path elf = writeExecutable(program.binary().bytes());
            try {
                RunResult r = GuestRun.run(elf, program.binary().name(), finalOptions, inputs, output, observers);
                lastResult = r;
                int signal = r.signal().orElse(0);
                return new GuestEnding(new ExitStatus(r.exitStatus(), signal, r.describe()), r.memoryDigest());
            } finally {
                try {
                    Files.deleteIfExists(elf);
                } catch (IOException e) {
                    // a leftover temporary copy of the guest costs disk space only; the run's result stands
                    System.getLogger(VmmLauncher.class.getName()).log(System.Logger.Level.WARNING,
                            "could not delete " + elf + ": " + e.getMessage());
                }
            }
        });
    }

    private static Path writeExecutable(byte[] bytes) {
        try {
            Path f = Files.createTempFile("insight-guest-", ".elf",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.write(f, bytes);
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the guest binary to a temporary file", e);
        }
    }
}
