package org.insight.replay.trace;

import java.time.Duration;
import java.util.Objects;

/**
 * The last block of a complete trace: how many frames and blocks precede it, how the guest ended, the statistics,
 * and how long the recording took on the host (wall time, for throughput figures).
 */
public record TraceTrailer(long frameCount, long blockCount, GuestOutcome outcome, TraceStatistics statistics,
		Duration recordingTime) {
	public TraceTrailer {
		Objects.requireNonNull(outcome, "outcome");
		Objects.requireNonNull(statistics, "statistics");
		Objects.requireNonNull(recordingTime, "recordingTime");
	}
}
