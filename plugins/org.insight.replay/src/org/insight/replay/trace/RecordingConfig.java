package org.insight.replay.trace;

import org.insight.vmm.machine.SyncMode;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * How the guest was run when it was recorded; a replay runs it the same way. A time slice or watchdog period of zero
 * means "none".
 */
public record RecordingConfig(SyncMode syncMode, Duration timeSlice, OptionalLong chaosSeed, long memoryCapBytes,
		Duration watchdogPeriod) {
	public RecordingConfig {
		Objects.requireNonNull(syncMode, "syncMode");
		Objects.requireNonNull(chaosSeed, "chaosSeed");
		if (timeSlice.isNegative() || watchdogPeriod.isNegative() || memoryCapBytes < 0) {
			throw new IllegalArgumentException("negative time slice, watchdog period or memory cap: " + timeSlice
					+ ", " + watchdogPeriod + ", " + memoryCapBytes);
		}
	}

	/** "sync mode syscalls, time slice 10 ms, chaos seed none, memory cap 1024 MiB, watchdog 20 ms". */
	public String describe() {
		return "sync mode " + syncMode.label() + ", time slice " + millis(timeSlice) + ", chaos seed "
				+ (chaosSeed.isPresent() ? Long.toString(chaosSeed.getAsLong()) : "none") + ", memory cap "
				+ (memoryCapBytes % (1L << 20) == 0 ? (memoryCapBytes >> 20) + " MiB" : memoryCapBytes + " bytes")
				+ ", watchdog " + millis(watchdogPeriod);
	}

	private static String millis(Duration d) {
		if (d.isZero()) {
			return "none";
		}
		long nanos = d.toNanos();
		return nanos % 1_000_000 == 0 ? nanos / 1_000_000 + " ms" : nanos / 1000.0 + " µs";
	}
}
