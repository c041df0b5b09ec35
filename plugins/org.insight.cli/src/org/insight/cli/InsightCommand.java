package org.insight.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

@Command(name = "insight", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT, version = "InSight 0.1.0",
        subcommands = { RunCommand.class, RecordCommand.class, ReplayCommand.class, AnalyzeCommand.class,
                InfoCommand.class, BenchCommand.class, DemoCommand.class })
final class InsightCommand {
}
