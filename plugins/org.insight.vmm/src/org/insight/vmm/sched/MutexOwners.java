package org.insight.vmm.sched;

import java.util.Optional;
import java.util.function.IntPredicate;

/**
 * What a blocked thread waits for, when that is a mutex whose owner can be known: from the mutex's lock word in guest
 * memory, or from the lock calls the VMM saw ({@code --mode locks}). The scheduler asks when a thread blocks, to find
 * a wait-for cycle as soon as it closes ({@link Scheduler}).
 * <p>
 * Every answer must be a function of the guest's memory and of the sync points passed so far, so that a recording and
 * its replay find the same cycle at the same sync point.
 */
public interface MutexOwners {
	/** Knows no mutex: only a run whose every thread is blocked ends as a deadlock. */
	MutexOwners NONE = new MutexOwners() {
		@Override
		public Optional<MutexWait> waitOf(GuestThread t, IntPredicate stuck) {
			return Optional.empty();
		}
	};

	/**
	 * The mutex that {@code t}, blocked in a futex wait without a timeout, asks for and the tid of the thread holding it;
	 * empty when its futex word is not a mutex's, or the owner cannot be told. An owner that is not {@code stuck}
	 * (blocked without a timeout) closes no cycle, so the answer may then be empty too, which spares the work of telling.
	 */
	Optional<MutexWait> waitOf(GuestThread t, IntPredicate stuck);

	/**
	 * Thread {@code t} called lock function {@code f} on {@code lock} ({@code --mode locks}; told of every call, in
	 * order, by the next sync point).
	 */
	default void lockCall(GuestThread t, LockFunction f, long lock) {
	}

	/** Thread {@code tid} exited. */
	default void exited(int tid) {
	}
}
