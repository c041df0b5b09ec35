package org.insight.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code insight demo}: the main job on a sample, in one process (so one machine start, nested or not): record it
 * with chaos scheduling, replay the recording and verify it, show the trace, then analyze it (a replay with the
 * analysis hooks) and print the potential deadlocks. Each step is the same code as the {@code record},
 * {@code replay}, {@code info} and {@code analyze} commands, run here on the machine already chosen.
 */
@Command(name = "demo", sortOptions = false)
final class DemoCommand implements Callable<Integer>, RunsGuest {
    @Spec
    CommandSpec spec;

    @Option(names = { "-o", "--output" }, required = true, paramLabel = "FILE", descriptionKey = "record.output")
    Path output;

    @Option(names = "--chaos", paramLabel = "SEED", descriptionKey = "record.chaos")
    long chaosSeed = 7;

    @Option(names = "--mode", paramLabel = "syscalls|locks", descriptionKey = "guest.mode")
    String mode = "syscalls";

    @Parameters(index = "0", paramLabel = "PROGRAM", descriptionKey = "demo.program")
    Path program;

    @Mixin
    VmOption vm = new VmOption();

    @Override
    public VmOption vm() {
        return vm;
    }

    @Override
    public List<Path> writtenFolders() {
        Path parent = output.toAbsolutePath().getParent();
        return parent == null ? List.of() : List.of(parent);
    }

    @Override
    public List<Path> readFolders() {
        return List.of(RunsGuest.folderOf(program));
    }

    @Override
    public void checkArguments() {
        if (!Files.isRegularFile(program)) {
            throw new UserError(program + ": no such file");
        }
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new UserError("-o " + output + ": the folder " + parent + " does not exist");
        }
    }

    @Override
    public Integer call() throws Exception {
        checkArguments();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String trace = output.toString();
        // The machine is chosen already (this process): the steps run here, whatever --vm said.
        err.println("insight: " + Messages.get("demo.recording", program, chaosSeed, mode, trace));
        err.flush();
        int recorded = step(out, err, "record", "--vm", "kvm", "-o", trace, "--chaos", Long.toString(chaosSeed),
                "--mode", mode, "--stats", "--stdin", "/dev/null", "--", program.toString());
        if (!Files.isRegularFile(output)) {
            return recorded;
        }
        err.println("insight: " + Messages.get("demo.replaying"));
        err.flush();
        int replayed = step(out, err, "replay", "--vm", "kvm", trace);
        if (replayed != recorded) {
            err.println("insight: " + Messages.get("demo.replayStatus", replayed, recorded));
            return replayed == 0 ? 1 : replayed;
        }
        int info = step(out, err, "info", trace);
        if (info != 0) {
            return info;
        }
        // Last, so the demo ends with them: the potential deadlocks, each with its stacks at file:line. Findings are
        // what the demo shows, not a failure: the status stays the recording's unless the analysis itself fails.
        err.println("insight: " + Messages.get("demo.analyzing"));
        err.flush();
        int analyzed = step(out, err, "analyze", "--vm", "kvm", trace);
        return analyzed != 0 ? analyzed : recorded;
    }

    private static int step(PrintWriter out, PrintWriter err, String... args) {
        int status = Main.execute(out, err, args);
        out.flush();
        err.flush();
        return status;
    }
}
