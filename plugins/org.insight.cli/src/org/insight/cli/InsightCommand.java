package org.insight.cli;

import picocli.CommandLine.Command;

@Command(name = "insight", mixinStandardHelpOptions = true, version = "InSight 0.1.0",
        subcommands = { RunCommand.class, RecordCommand.class, ReplayCommand.class, InfoCommand.class,
                BenchCommand.class })
final class InsightCommand {
}
