package org.insight.cli;

import java.time.Duration;

import org.insight.replay.ReplayOptions;

import picocli.CommandLine.Option;

/** {@code --time-limit} of the commands that replay (replay, analyze): the whole replay's limit, instead of the default. */
final class ReplayLimitOption {
    @Option(names = "--time-limit", paramLabel = "SECONDS", descriptionKey = "replay.timeLimit")
    Double seconds;

    /** {@code options} with the limit given, if one was; a user error for a limit that is not a positive number. */
    ReplayOptions apply(ReplayOptions options) {
        if (seconds == null) {
            return options;
        }
        if (!(seconds >= 1e-9) || seconds > Duration.ofDays(365).toSeconds()) {
            throw new UserError("--time-limit must be a positive number of seconds (at most a year), got " + seconds);
        }
        return options.withTimeLimit(Duration.ofNanos((long) (seconds * 1e9)));
    }
}
