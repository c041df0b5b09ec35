package org.insight.cli;

import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/**
 * The root of the command tree. Its subcommands are added by {@link Main#commandLine}, not listed in the annotation:
 * picocli builds every listed subcommand's model by reflection before it parses anything, which under emulation
 * (the nested machine, where a host CPU-second costs about 50) took seconds. A command line that names one
 * subcommand builds that one only; any other (help, no command, a misspelt one) builds them all, so the help and
 * picocli's suggestions are unchanged.
 */
@Command(name = "insight", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT, version = "InSight 0.1.0")
final class InsightCommand {
    /** The subcommands, in the order the help lists them. */
    static final List<Class<?>> SUBCOMMANDS = List.of(RunCommand.class, RecordCommand.class, ReplayCommand.class,
            AnalyzeCommand.class, InfoCommand.class, BenchCommand.class, DemoCommand.class);

    /** A subcommand's name, from its own annotation. */
    static String name(Class<?> subcommand) {
        return subcommand.getAnnotation(Command.class).name();
    }

    /** The subcommands to build for {@code args}: the one its first argument names, else all of them. */
    static List<Class<?>> neededFor(String... args) {
        List<Class<?>> needed = new ArrayList<>();
        if (args.length > 0) {
            for (Class<?> c : SUBCOMMANDS) {
                if (name(c).equals(args[0])) {
                    needed.add(c);
                }
            }
        }
        return needed.isEmpty() ? SUBCOMMANDS : needed;
    }
}
