package org.insight.cli;

import java.io.PrintWriter;
import java.util.List;

import org.insight.kvm.KvmAvailability;

import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** The {@code insight} command: parses the command line and exits with the status of the subcommand. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs one command line and returns its exit status; tests call this with their own writers. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = commandLine(out, err, args);
        cl.setExecutionStrategy(parsed -> executeOnItsMachine(parsed, List.of(args), err));
        return cl.execute(args);
    }

    /** The whole command tree with its messages and error handling, not yet given a command line. */
    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return commandLine(out, err, new String[0]);
    }

    /** The command tree for {@code args}: only the subcommand it names, when it names one (see InsightCommand). */
    static CommandLine commandLine(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new InsightCommand());
        for (Class<?> c : InsightCommand.neededFor(args)) {
            cl.addSubcommand(InsightCommand.name(c), c);
        }
        // Loaded here, not by picocli: under OSGi picocli's class loader cannot see this bundle's resources.
        cl.setResourceBundle(Messages.bundle());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler(new UserErrorHandler());
        return cl;
    }

    /**
     * A command that runs a guest runs here when /dev/kvm is usable (or --vm kvm insists), and otherwise again
     * inside the nested machine, after one line that says so; everything else runs here.
     */
    private static int executeOnItsMachine(ParseResult parsed, List<String> args, PrintWriter err) {
        ParseResult leaf = parsed;
        boolean help = parsed.isUsageHelpRequested() || parsed.isVersionHelpRequested();
        while (leaf.hasSubcommand()) {
            leaf = leaf.subcommand();
            help |= leaf.isUsageHelpRequested() || leaf.isVersionHelpRequested();
        }
        if (!help && leaf.commandSpec().userObject() instanceof RunsGuest guest && guest.needsMachine()) {
            try {
                MachineChoice.Kind asked = guest.vm().kind();
                String missing = KvmAvailability.missingReason();
                if (asked == MachineChoice.Kind.KVM && missing != null && !MachineChoice.insideNested()) {
                    throw new UserError(Messages.get("vm.kvmMissing", missing));
                }
                if (MachineChoice.decide(asked) == MachineChoice.Where.NESTED) {
                    guest.checkArguments();
                    err.println("insight: " + (missing != null ? Messages.get("nested.auto", missing)
                            : Messages.get("nested.asked")));
                    err.flush();
                    return NestedMachine.run(args, guest);
                }
            } catch (Exception e) {
                try {
                    return new UserErrorHandler().handleExecutionException(e, leaf.commandSpec().commandLine(),
                            parsed);
                } catch (Exception bug) {
                    throw new CommandLine.ExecutionException(leaf.commandSpec().commandLine(), bug.toString(), bug);
                }
            }
        }
        return new CommandLine.RunLast().execute(parsed);
    }
}
