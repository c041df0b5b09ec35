package org.insight.replay.trace;

import org.insight.kvm.Cpuid;
import org.insight.vmm.inputs.LockCallCountdown;
import org.insight.vmm.machine.RunOptions;
import org.insight.vmm.machine.SyncMode;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How the guest was run when it was recorded, and the CPU it was shown; a replay runs it the same way. A time slice or
 * watchdog period of zero means "none". {@code guestCpuid} is the CPUID table the guest saw (empty in traces from
 * before it was recorded, and where /dev/kvm could not be asked: such a replay shows the replaying host's).
 */
public record RecordingConfig(SyncMode syncMode, Duration timeSlice, OptionalLong chaosSeed, long memoryCapBytes,
		Duration watchdogPeriod, int maxThreads, Optional<Cpuid> guestCpuid, int lockCallRule) {
	public RecordingConfig {
		Objects.requireNonNull(syncMode, "syncMode");
		Objects.requireNonNull(guestCpuid, "guestCpuid");
		Objects.requireNonNull(chaosSeed, "chaosSeed");
		LockCallCountdown.of(lockCallRule, chaosSeed); // a rule this version knows
		if (timeSlice.isNegative() || watchdogPeriod.isNegative() || memoryCapBytes < 0 || maxThreads < 1) {
			throw new IllegalArgumentException("negative time slice, watchdog period or memory cap, or no thread: "
					+ timeSlice + ", " + watchdogPeriod + ", " + memoryCapBytes + ", " + maxThreads);
		}
	}

	/** Recorded now: the current lock-call countdown rule ({@link LockCallCountdown#CURRENT}). */
	public RecordingConfig(SyncMode syncMode, Duration timeSlice, OptionalLong chaosSeed, long memoryCapBytes,
			Duration watchdogPeriod, int maxThreads, Optional<Cpuid> guestCpuid) {
		this(syncMode, timeSlice, chaosSeed, memoryCapBytes, watchdogPeriod, maxThreads, guestCpuid,
				LockCallCountdown.CURRENT);
	}

	/** With no CPUID table: the replaying host's is shown. */
	public RecordingConfig(SyncMode syncMode, Duration timeSlice, OptionalLong chaosSeed, long memoryCapBytes,
			Duration watchdogPeriod, int maxThreads) {
		this(syncMode, timeSlice, chaosSeed, memoryCapBytes, watchdogPeriod, maxThreads, Optional.empty());
	}

	/** With the machine's default thread limit. */
	public RecordingConfig(SyncMode syncMode, Duration timeSlice, OptionalLong chaosSeed, long memoryCapBytes,
			Duration watchdogPeriod) {
		this(syncMode, timeSlice, chaosSeed, memoryCapBytes, watchdogPeriod, RunOptions.DEFAULT_MAX_THREADS);
	}

	/** The same with another thread limit (clone beyond it fails with EAGAIN, in the recording and its replays). */
	public RecordingConfig withMaxThreads(int n) {
		return new RecordingConfig(syncMode, timeSlice, chaosSeed, memoryCapBytes, watchdogPeriod, n, guestCpuid,
				lockCallRule);
	}

	/** The same with the CPUID table the guest is shown (and will be shown by every replay). */
	public RecordingConfig withGuestCpuid(Optional<Cpuid> table) {
		return new RecordingConfig(syncMode, timeSlice, chaosSeed, memoryCapBytes, watchdogPeriod, maxThreads, table,
				lockCallRule);
	}

	/** The lock-call countdown a replay of this recording runs with (each call gives a fresh one). */
	public LockCallCountdown lockCallCountdown() {
		return LockCallCountdown.of(lockCallRule, chaosSeed);
	}

	/** "sync mode syscalls, time slice 10 ms, chaos seed none, memory cap 1024 MiB, watchdog 20 ms". */
	public String describe() {
		return "sync mode " + syncMode.label() + ", time slice " + millis(timeSlice) + ", chaos seed "
				+ (chaosSeed.isPresent() ? Long.toString(chaosSeed.getAsLong()) : "none") + ", memory cap "
				+ (memoryCapBytes % (1L << 20) == 0 ? (memoryCapBytes >> 20) + " MiB" : memoryCapBytes + " bytes")
				+ ", watchdog " + millis(watchdogPeriod)
				+ (maxThreads != RunOptions.DEFAULT_MAX_THREADS ? ", max threads " + maxThreads : "")
				+ (syncMode == SyncMode.LOCKS && lockCallRule == LockCallCountdown.EVERY_CALL
						? ", every lock call a sync point" : "");
	}

	private static String millis(Duration d) {
		if (d.isZero()) {
			return "none";
		}
		long nanos = d.toNanos();
		return nanos % 1_000_000 == 0 ? nanos / 1_000_000 + " ms" : nanos / 1000.0 + " µs";
	}
}
