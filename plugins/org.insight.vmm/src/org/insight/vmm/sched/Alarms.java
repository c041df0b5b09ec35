package org.insight.vmm.sched;

/**
 * Timers of the process that are not a blocked thread's timeout: interval timers, POSIX timers and timerfds, kept by
 * the Linux personality. The scheduler treats them as it treats timeouts: it reads the guest's CLOCK_MONOTONIC at a
 * sync point while one is armed and lets those that are due expire there, it idles until the earliest one when every
 * thread is blocked, and a watchdog kick may preempt a running thread so that one can expire. An expiry is therefore a
 * function of the recorded clock reads and sync points, and a replay repeats it at the same place.
 */
public interface Alarms {
	/** No timers. */
	Alarms NONE = new Alarms() {
		@Override
		public long nextDeadline() {
			return GuestThread.NO_DEADLINE;
		}

		@Override
		public void expire(long now) {
		}
	};

	/** The earliest deadline of an armed timer on the guest's CLOCK_MONOTONIC, or {@link GuestThread#NO_DEADLINE}. */
	long nextDeadline();

	/** Every timer due at {@code now} expires, in an order fixed by guest state. */
	void expire(long now);

	/** Whether an expiry ended the process (a signal whose default action kills): the scheduler stops there. */
	default boolean ended() {
		return false;
	}

	/** Whether some timer is armed. */
	default boolean armed() {
		return nextDeadline() != GuestThread.NO_DEADLINE;
	}
}
