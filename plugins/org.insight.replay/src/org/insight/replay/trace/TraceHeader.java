package org.insight.replay.trace;

import java.time.Instant;
import java.util.Objects;

/** The first block of a trace: what was recorded, how, when, and on which CPU. */
public record TraceHeader(Instant recordedAt, GuestProgram program, RecordingConfig config, HostCpu hostCpu) {
	public TraceHeader {
		Objects.requireNonNull(recordedAt, "recordedAt");
		Objects.requireNonNull(program, "program");
		Objects.requireNonNull(config, "config");
		Objects.requireNonNull(hostCpu, "hostCpu");
	}

	/** A header for a recording starting now on this host. */
	public static TraceHeader forRecording(GuestProgram program, RecordingConfig config) {
		return new TraceHeader(Instant.now(), program, config, HostCpu.current());
	}
}
