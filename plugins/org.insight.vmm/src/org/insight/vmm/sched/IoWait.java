package org.insight.vmm.sched;

/**
 * What a thread blocked in {@link ThreadState#IO_WAIT} waits for: a read of an empty pipe, a write to a full one, a
 * poll. The call is not restarted when the thread wakes; whoever changed the object it waits on (a write, a close)
 * asks the scheduler to {@link Scheduler#retryIo retry} it on the blocked thread's behalf, in the waker's own sync
 * point, so the outcome is a pure function of guest state and record and replay need no new input.
 */
public interface IoWait {
	/** What {@link #retry()} answers while the call still cannot complete. */
	long NOT_READY = Long.MIN_VALUE;

	/** Tries the blocked call again: its result (the thread's RAX), or {@link #NOT_READY}. */
	long retry();

	/** The wait is over (completed, timed out, or the thread exited): leave every wait list it joined. */
	void cancel();

	/** For deadlock and hang reports: "read(3: pipe)". */
	String describe();
}
