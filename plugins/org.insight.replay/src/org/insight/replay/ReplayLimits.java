package org.insight.replay;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a replay may take, so that no replay runs forever: a total time limit, and a stall limit (how long it may
 * go without consuming a recorded input). Either ends the replay cleanly with a {@link DivergenceException} that names
 * the frame it had reached.
 * <p>
 * Without limits of its own a replay gets {@link #forRecording generous ones} from the recording's duration: a replay
 * runs the recorded execution again, with the same inputs, so it takes about as long, and far longer only when
 * emulated (nested KVM under QEMU TCG costs about 50 host CPU-seconds per second) or when it has many landmarks to
 * find. The factors cover both, and the floors cover short recordings replayed on a slow machine.
 *
 * @param time  the whole replay; null for none
 * @param stall the longest stretch without a recorded input consumed; null for none
 */
public record ReplayLimits(Duration time, Duration stall) {
	/** The whole replay may take this many times the recording's duration, and at least {@link #TIME_FLOOR}. */
	public static final int TIME_FACTOR = 100;
	public static final Duration TIME_FLOOR = Duration.ofMinutes(10);
	/** No input for this many times the whole recording's duration, and at least {@link #STALL_FLOOR}, is a stall. */
	public static final int STALL_FACTOR = 50;
	public static final Duration STALL_FLOOR = Duration.ofMinutes(5);
	/** Recording durations above this (or below zero: a damaged trailer) count as this (or zero). */
	private static final Duration LONGEST_RECORDING = Duration.ofDays(365);

	public ReplayLimits {
		if (time != null && !time.isPositive() || stall != null && !stall.isPositive()) {
			throw new IllegalArgumentException("a replay limit must be positive: time " + time + ", stall " + stall);
		}
	}

	/** No limit at all. */
	public static ReplayLimits none() {
		return new ReplayLimits(null, null);
	}

	/** The default limits for a recording that took {@code recorded}. */
	public static ReplayLimits forRecording(Duration recorded) {
		Objects.requireNonNull(recorded, "recorded");
		Duration d = recorded.isNegative() ? Duration.ZERO
				: recorded.compareTo(LONGEST_RECORDING) > 0 ? LONGEST_RECORDING : recorded;
		return new ReplayLimits(max(TIME_FLOOR, d.multipliedBy(TIME_FACTOR)), max(STALL_FLOOR,
				d.multipliedBy(STALL_FACTOR)));
	}

	private static Duration max(Duration a, Duration b) {
		return a.compareTo(b) >= 0 ? a : b;
	}

	/** "10 min", "90 s", "1.5 s". */
	static String describe(Duration d) {
		long ms = d.toMillis();
		if (ms % 60_000 == 0) {
			return ms / 60_000 + " min";
		}
		return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
	}
}
