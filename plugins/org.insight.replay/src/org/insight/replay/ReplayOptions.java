package org.insight.replay;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

import org.insight.replay.trace.HostCpu;

/**
 * Where a replay runs: the host CPU (compared with the recording's), and optionally the guest binary the user
 * names, which must be the recorded one (the replay itself always runs the copy embedded in the trace), and its
 * limits: null for the defaults the recording's duration gives ({@link ReplayLimits#forRecording}).
 */
public record ReplayOptions(HostCpu host, Optional<Path> binary, ReplayLimits limits) {
	public ReplayOptions {
		Objects.requireNonNull(host, "host");
		Objects.requireNonNull(binary, "binary");
	}

	public ReplayOptions(HostCpu host, Optional<Path> binary) {
		this(host, binary, null);
	}

	/** This host, no binary named. */
	public static ReplayOptions onThisHost() {
		return new ReplayOptions(HostCpu.current(), Optional.empty());
	}

	public ReplayOptions withBinary(Path file) {
		return new ReplayOptions(host, Optional.of(file), limits);
	}

	/** These limits instead of the defaults; {@link ReplayLimits#none()} for none. */
	public ReplayOptions withLimits(ReplayLimits l) {
		return new ReplayOptions(host, binary, Objects.requireNonNull(l, "limits"));
	}
}
