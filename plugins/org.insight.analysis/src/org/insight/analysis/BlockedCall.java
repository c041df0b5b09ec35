package org.insight.analysis;

import java.util.Objects;

/**
 * A thread inside a blocking lock call that had not returned when the replay ended: at the end of a run that ended in
 * an actual deadlock (every thread blocked, or a wait-for cycle among some), what each thread waits for.
 *
 * @param position the trace position of the call's entry
 * @param tid      the thread
 * @param lock     the lock it asked for
 * @param mode     how it asked for it
 * @param stack    where: the call's return address first, then the callers'
 * @param function the lock function called ("pthread_mutex_lock")
 */
public record BlockedCall(long position, int tid, LockRef lock, Event.Mode mode, CallStack stack, String function) {
	public BlockedCall {
		Objects.requireNonNull(lock, "lock");
		Objects.requireNonNull(mode, "mode");
		Objects.requireNonNull(stack, "stack");
		Objects.requireNonNull(function, "function");
	}
}
