package org.insight.replay;

import java.time.Duration;

/**
 * Watches a replay from a host thread and stops it at its {@link ReplayLimits}: when it has run longer than its time
 * limit, or consumed no recorded input for its stall limit. It stops the replay through {@link ReplayInputs#stop}: the
 * machine asks its inputs at every exit (a watchdog kick of the guest included), so the vCPU thread ends the run
 * there, with the frame it had reached, and closes the machine as after any error.
 * <p>
 * Its clock is the host's monotonic clock, so it is as generous under emulation as the limits it was given; it checks
 * once a second (more often for limits shorter than 10 s, as tests use).
 */
final class ReplayWatchdog implements AutoCloseable {
	private final Thread thread;
	private volatile boolean closed;

	private ReplayWatchdog(ReplayInputs inputs, ReplayLimits limits) {
		long period = Math.max(10, Math.min(1000, shortest(limits).toMillis() / 10));
		thread = Thread.ofPlatform().daemon().name("insight-replay-watchdog").unstarted(() -> watch(inputs, limits,
				period));
	}

	/** Starts watching; null when there is no limit to watch. */
	static ReplayWatchdog start(ReplayInputs inputs, ReplayLimits limits) {
		if (limits.time() == null && limits.stall() == null) {
			return null;
		}
		ReplayWatchdog w = new ReplayWatchdog(inputs, limits);
		w.thread.start();
		return w;
	}

	private static Duration shortest(ReplayLimits l) {
		if (l.time() == null) {
			return l.stall();
		}
		return l.stall() == null || l.time().compareTo(l.stall()) < 0 ? l.time() : l.stall();
	}

	private void watch(ReplayInputs inputs, ReplayLimits limits, long periodMillis) {
		long started = System.nanoTime();
		long lastFrames = inputs.framesConsumed();
		long lastProgress = started;
		while (!closed) {
			try {
				Thread.sleep(periodMillis);
			} catch (InterruptedException e) {
				return;
			}
			long now = System.nanoTime();
			long frames = inputs.framesConsumed();
			if (frames != lastFrames) {
				lastFrames = frames;
				lastProgress = now;
			}
			if (limits.time() != null && now - started >= limits.time().toNanos()) {
				inputs.stop("the replay reached its time limit of " + ReplayLimits.describe(limits.time())
						+ " (the last recorded input consumed " + seconds(now - lastProgress) + " seconds before)");
				return;
			}
			if (limits.stall() != null && now - lastProgress >= limits.stall().toNanos()) {
				inputs.stop("no recorded input consumed for " + seconds(now - lastProgress) + " seconds (the stall"
						+ " limit is " + ReplayLimits.describe(limits.stall()) + ")");
				return;
			}
		}
	}

	private static long seconds(long nanos) {
		return nanos / 1_000_000_000L;
	}

	@Override
	public void close() {
		closed = true;
		thread.interrupt();
	}
}
