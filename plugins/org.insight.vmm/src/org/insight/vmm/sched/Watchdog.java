package org.insight.vmm.sched;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * A host thread that kicks the vCPU when the guest has run for a whole period without an exit: a thread in a spin or
 * compute loop never reaches a sync point by itself, so without a kick it would keep the single vCPU forever.
 * <p>
 * The machine publishes when the current guest run began ({@code guestSince}, 0 while the VMM itself works). Only
 * time inside the guest counts, so the VMM's own work (a slow syscall, an idle wait) is never interrupted, and each
 * guest run is kicked at most once. The kick only stops the guest: whether the thread is preempted is decided on the
 * vCPU thread, through the inputs.
 */
public final class Watchdog implements AutoCloseable {
	/** The watchdog looks this many times per period, so a kick comes between 1 and 1.25 periods into a run. */
	private static final int TICKS_PER_PERIOD = 4;

	private final long periodNanos;
	private final LongSupplier guestSince;
	private final Runnable kick;
	private final AtomicLong kicks = new AtomicLong();
	private final Thread thread;
	private volatile boolean stopped;

	/**
	 * @param guestSince {@link System#nanoTime()} when the running guest was entered, 0 when it is not running; read
	 *                   from the watchdog thread
	 * @param kick       stops the running guest; callable from any thread
	 */
	public Watchdog(Duration period, LongSupplier guestSince, Runnable kick) {
		if (period.isNegative() || period.isZero()) {
			throw new IllegalArgumentException("watchdog period must be positive, not " + period);
		}
		this.periodNanos = period.toNanos();
		this.guestSince = Objects.requireNonNull(guestSince, "guestSince");
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
		long tick = Math.max(periodNanos / TICKS_PER_PERIOD, 100_000L);
		long kickedRun = 0;
		while (!stopped) {
			LockSupport.parkNanos(this, tick);
			if (stopped) {
				return;
			}
			long since = guestSince.getAsLong();
			if (since != 0 && since != kickedRun && System.nanoTime() - since >= periodNanos) {
				kickedRun = since;
				kicks.incrementAndGet();
				kick.run();
			}
		}
	}

	/** Stops the thread and waits for it. */
	@Override
	public void close() {
		stopped = true;
		LockSupport.unpark(thread);
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
