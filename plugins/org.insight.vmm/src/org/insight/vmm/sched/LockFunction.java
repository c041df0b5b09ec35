package org.insight.vmm.sched;

import java.util.Objects;

/**
 * A pthread synchronisation function of the guest, at the address where {@code --mode locks} stops every thread that
 * calls it (a sync point).
 *
 * @param name    the function's public name ("pthread_mutex_lock")
 * @param address where it starts in the loaded guest
 * @param object  what it works on
 * @param action  what it does to that object
 */
public record LockFunction(String name, long address, LockObject object, LockAction action) {
	/** The synchronisation objects whose functions are hooked. */
	public enum LockObject {
		MUTEX, RWLOCK, CONDITION, SEMAPHORE, SPINLOCK
	}

	/** What a call does, as far as a later lock analysis needs to know. */
	public enum LockAction {
		/** Blocks until the object is taken (lock, rdlock, wrlock, sem_wait, timed variants). */
		ACQUIRE,
		/** Takes the object if it is free, without blocking (trylock, sem_trywait). */
		TRY_ACQUIRE,
		/** Gives the object back (unlock, sem_post). */
		RELEASE,
		/** Waits on a condition, releasing and retaking its mutex. */
		WAIT,
		/** Wakes waiters of a condition (signal, broadcast). */
		WAKE
	}

	public LockFunction {
		Objects.requireNonNull(name, "name");
		Objects.requireNonNull(object, "object");
		Objects.requireNonNull(action, "action");
	}

	/** "pthread_mutex_lock at 0x401a30". */
	@Override
	public String toString() {
		return name + " at 0x" + Long.toHexString(address);
	}
}
