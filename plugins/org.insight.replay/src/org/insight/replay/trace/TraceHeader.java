package org.insight.replay.trace;

import java.time.Instant;
import java.util.Objects;

import org.insight.vmm.machine.GuestCpuid;

/** The first block of a trace: what was recorded, how, when, and on which CPU. */
public record TraceHeader(Instant recordedAt, GuestProgram program, RecordingConfig config, HostCpu hostCpu) {
	public TraceHeader {
		Objects.requireNonNull(recordedAt, "recordedAt");
		Objects.requireNonNull(program, "program");
		Objects.requireNonNull(config, "config");
		Objects.requireNonNull(hostCpu, "hostCpu");
	}

	/**
	 * A header for a recording starting now on this host. Unless {@code config} names one, the guest is shown (and
	 * the header keeps) the CPUID table a machine gets on this host ({@link GuestCpuid#ofThisHost}).
	 */
	public static TraceHeader forRecording(GuestProgram program, RecordingConfig config) {
		RecordingConfig c = config.guestCpuid().isPresent() ? config : config.withGuestCpuid(GuestCpuid.ofThisHost());
		return new TraceHeader(Instant.now(), program, c, HostCpu.current());
	}
}
