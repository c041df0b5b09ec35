package org.insight.vmm.linux;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

import org.insight.vmm.sched.Alarms;
import org.insight.vmm.sched.GuestThread;

/**
 * The process's timers on the guest's CLOCK_MONOTONIC: the interval timer behind alarm and setitimer, the POSIX
 * timers of timer_create and the timerfds. The scheduler lets a due timer expire where it checks timeouts
 * ({@link Alarms}): at a sync point, after a recorded read of the clock, or when it idles until the earliest one. So
 * an expiry, and the signal or the count it makes, happens at the same place in a replay. A timer that expires while
 * a thread computes without a sync point waits for the watchdog's next kick, which preempts while a timer is armed
 * (a recorded landmark), so its resolution is the watchdog period.
 * <p>
 * Timers expire in the order they were created. A periodic timer that is late by several periods expires once, with
 * the count of periods that passed (an interval timer's signal, a POSIX timer's overrun, a timerfd's count).
 */
final class GuestTimers implements Alarms {
	/** One timer: disarmed, or armed with a deadline and an interval (0 expires once). */
	static final class Timer {
		private final LongConsumer onExpiry;
		private long deadline = GuestThread.NO_DEADLINE;
		private long interval;

		private Timer(LongConsumer onExpiry) {
			this.onExpiry = onExpiry;
		}

		/** Arms the timer for {@code deadline} (guest monotonic ns), then every {@code interval} ns if that is not 0. */
		void arm(long deadline, long interval) {
			this.deadline = Math.min(deadline, GuestThread.NO_DEADLINE - 1);
			this.interval = interval;
		}

		void disarm() {
			deadline = GuestThread.NO_DEADLINE;
			interval = 0;
		}

		boolean armed() {
			return deadline != GuestThread.NO_DEADLINE;
		}

		long interval() {
			return interval;
		}

		/** The time to the next expiry at {@code now}: 0 when disarmed, at least 1 ns when armed (due, not expired). */
		long remaining(long now) {
			return armed() ? Math.max(1, deadline - now) : 0;
		}

		/** Expires if due at {@code now}: the periods that passed go to the timer's owner. */
		private void expireAt(long now) {
			if (!armed() || deadline > now) {
				return;
			}
			long periods = 1;
			if (interval > 0) {
				periods += (now - deadline) / interval;
				long step = periods > GuestThread.NO_DEADLINE / interval ? GuestThread.NO_DEADLINE : periods * interval;
				deadline = TimeCalls.saturatedAdd(deadline, step);
			} else {
				deadline = GuestThread.NO_DEADLINE;
			}
			onExpiry.accept(periods);
		}
	}

	/** At most this many timers at once (POSIX timers and timerfds together): Linux bounds them by memory. */
	static final int MAX_TIMERS = 4096;

	private final LinuxProcess process;
	private final List<Timer> timers = new ArrayList<>();

	GuestTimers(LinuxProcess process) {
		this.process = process;
	}

	/** A new, disarmed timer whose expiries call {@code onExpiry} with the count of periods; null at the limit. */
	Timer create(LongConsumer onExpiry) {
		if (timers.size() >= MAX_TIMERS) {
			return null;
		}
		Timer t = new Timer(onExpiry);
		timers.add(t);
		return t;
	}

	/** Forgets {@code t}, which never expires again. */
	void delete(Timer t) {
		t.disarm();
		timers.remove(t);
	}

	@Override
	public long nextDeadline() {
		long first = GuestThread.NO_DEADLINE;
		for (Timer t : timers) {
			first = Math.min(first, t.deadline);
		}
		return first;
	}

	@Override
	public void expire(long now) {
		for (Timer t : List.copyOf(timers)) {
			if (!process.isTerminated()) {
				t.expireAt(now);
			}
		}
	}

	/** A timer's signal ended the process (SIGALRM without a handler). */
	@Override
	public boolean ended() {
		return process.isTerminated();
	}
}
