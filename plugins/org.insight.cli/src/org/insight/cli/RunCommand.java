package org.insight.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import org.insight.vmm.GuestRun;
import org.insight.vmm.inputs.LiveInputs;
import org.insight.vmm.inputs.RoundRobin;
import org.insight.vmm.inputs.StdinSource;
import org.insight.vmm.linux.OutputSink;
import org.insight.vmm.machine.RunOptions;
import org.insight.vmm.machine.RunResult;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code insight run}: runs a static program in the VM, live, with the guest's exit status as its own. */
@Command(name = "run", sortOptions = false)
final class RunCommand implements Callable<Integer>, RunsGuest {
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
    public Integer call() throws IOException {
        checkArguments();
        RunOptions options = guest.toRunOptions(StdinSource.host());
        RunResult result;
        try (LiveInputs inputs = new LiveInputs(options.stdin(), new RoundRobin(options.timeSlice()))) {
            result = GuestRun.run(guest.program(), options, inputs, OutputSink.host());
        }
        report(result, stats, System.err);
        return result.exitStatus();
    }

    /** What a terminal user sees after the guest's own output: the ending unless it was a plain exit, and stats. */
    static void report(RunResult result, boolean withStats, PrintStream err) {
        if (result.signal().isPresent() || result.deadlock().isPresent() || result.hang().isPresent()
                || !result.notes().isEmpty()) {
            result.format().lines().forEach(l -> err.println("insight: " + l));
        }
        if (withStats) {
            if (MachineChoice.insideNested()) {
                err.println("insight: stats: " + Messages.get("nested.stats"));
            }
            result.stats().format().lines().forEach(l -> err.println("insight: stats: " + l));
        }
    }
}
