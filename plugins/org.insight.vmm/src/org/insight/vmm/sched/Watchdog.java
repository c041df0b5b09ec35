package org.insight.vmm.sched;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A host thread that kicks the vCPU when the guest has made no exit for a whole period: a thread in a spin or
 * compute loop never reaches a sync point by itself, so without a kick it would keep the single vCPU forever.
 * <p>
 * The machine counts its exits ({@code progress}); a period in which the count did not move ends with one kick. The
 * kick only stops the guest: whether the thread is preempted is decided on the vCPU thread, through the inputs.
 */
public final class Watchdog implements AutoCloseable {
	private final long periodNanos;
	private final LongSupplier progress;
	private final Runnable kick;
	private final AtomicLong kicks = new AtomicLong();
	private final Thread thread;
	private volatile boolean stopped;

	/**
	 * @param progress a counter the machine increments at each exit, read from the watchdog thread
	 * @param kick     stops the running guest; callable from any thread
	 */
	public Watchdog(Duration period, LongSupplier progress, Runnable kick) {
		if (period.isNegative() || period.isZero()) {
			throw new IllegalArgumentException("watchdog period must be positive, not " + period);
		}
		this.periodNanos = period.toNanos();
		this.progress = Objects.requireNonNull(progress, "progress");
		this.kick = Objects.requireNonNull(kick, "kick");
		this.thread = new Thread(this::watch, "insight-watchdog");
		thread.setDaemon(true);
	}

	public Watchdog start() {
		thread.start();
		return this;
	}

	/** Kicks sent so far. */
	public long kicks() {
		return kicks.get();
	}

	private void watch() {
		long seen = progress.getAsLong();
		while (!stopped) {
			long deadline = System.nanoTime() + periodNanos;
			for (long left = periodNanos; left > 0 && !stopped; left = deadline - System.nanoTime()) {
				java.util.concurrent.locks.LockSupport.parkNanos(this, left);
			}
			if (stopped) {
				return;
			}
			long now = progress.getAsLong();
			if (now == seen) {
				kicks.incrementAndGet();
				kick.run();
			}
			seen = now;
		}
	}

	/** Stops the thread and waits for it. */
	@Override
	public void close() {
		stopped = true;
		java.util.concurrent.locks.LockSupport.unpark(thread);
		if (thread.isAlive() && Thread.currentThread() != thread) {
			boolean interrupted = false;
			while (thread.isAlive()) {
				try {
					thread.join();
				} catch (InterruptedException e) {
					interrupted = true; // finish joining; the caller's interrupt is restored below
				}
			}
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}
}
