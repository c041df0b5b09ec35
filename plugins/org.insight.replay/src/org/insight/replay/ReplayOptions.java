package org.insight.replay;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import org.insight.replay.trace.HostCpu;

/**
 * Where a replay runs: the host CPU (compared with the recording's), and optionally the guest binary the user
 * names, which must be the recorded one (the replay itself always runs the copy embedded in the trace), and its
 * limits: null for the defaults the recording's duration gives ({@link ReplayLimits#forRecording}), of which
 * {@code timeLimit}, when given, replaces the whole replay's time limit (the user's {@code --time-limit}).
 */
public record ReplayOptions(HostCpu host, Optional<Path> binary, ReplayLimits limits, Duration timeLimit) {
	public ReplayOptions {
		Objects.requireNonNull(host, "host");
		Objects.requireNonNull(binary, "binary");
		if (timeLimit != null && !timeLimit.isPositive()) {
			throw new IllegalArgumentException("a replay time limit must be positive: " + timeLimit);
		}
	}

	public ReplayOptions(HostCpu host, Optional<Path> binary, ReplayLimits limits) {
		this(host, binary, limits, null);
	}

	public ReplayOptions(HostCpu host, Optional<Path> binary) {
		this(host, binary, null);
	}

	/**
	 * The limits of a replay of a recording that took {@code recorded}. A time limit given with
	 * {@link #withTimeLimit} also raises the stall limit to it when it is longer: a user who allows a replay an hour
	 * is not stopped by the default stall limit after five minutes without an input.
	 */
	public ReplayLimits limitsFor(Duration recorded) {
		if (limits != null) {
			return limits;
		}
		ReplayLimits defaults = ReplayLimits.forRecording(recorded);
		if (timeLimit == null) {
			return defaults;
		}
		return new ReplayLimits(timeLimit, timeLimit.compareTo(defaults.stall()) > 0 ? timeLimit : defaults.stall());
	}

	/** The whole replay stops, naming the frame it reached, after {@code limit} instead of the default. */
	public ReplayOptions withTimeLimit(Duration limit) {
		return new ReplayOptions(host, binary, limits, Objects.requireNonNull(limit, "limit"));
	}

	/** This host, no binary named. */
	public static ReplayOptions onThisHost() {
		return new ReplayOptions(HostCpu.current(), Optional.empty());
	}

	public ReplayOptions withBinary(Path file) {
		return new ReplayOptions(host, Optional.of(file), limits, timeLimit);
	}

	/** These limits instead of the defaults; {@link ReplayLimits#none()} for none. */
	public ReplayOptions withLimits(ReplayLimits l) {
		return new ReplayOptions(host, binary, Objects.requireNonNull(l, "limits"), timeLimit);
	}
}
