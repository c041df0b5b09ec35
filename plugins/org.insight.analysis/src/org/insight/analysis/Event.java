package org.insight.analysis;

import java.util.Objects;

/**
 * One thing a replay's hooks saw, in the order the guest did it. Every event carries its thread, its trace position:
 * the number of recorded frames the replay had consumed when it happened, so a later "replay to here" can stop there
 * (frames are the only clock a replay and its recording share), and its virtual time: the guest's execution time so
 * far, with the VMM's exit handling left out (measured, so never deterministic; for the profiles' times, never for
 * a count or a decision).
 */
public sealed interface Event {
	/** The frames of the recording consumed when the event happened. */
	long position();

	/**
	 * Virtual nanoseconds of the whole guest (every thread) when the event happened
	 * ({@code CodeObserver.Control#virtualNanos()}); never decreasing along the stream of lock and thread events (a function's events carry its thread's own clock).
	 */
	long time();

	/** The thread it happened in (the guest's tid). */
	int tid();

	/** Thread {@code tid} made thread {@code child} (clone). */
	record ThreadCreated(long position, long time, int tid, int child) implements Event {
	}

	/** Thread {@code tid} returned from a successful pthread_join of {@code child}. */
	record ThreadJoined(long position, long time, int tid, int child) implements Event {
	}

	/** Thread {@code tid} ended. */
	record ThreadExited(long position, long time, int tid) implements Event {
	}

	/**
	 * The replay ended (the guest exited, was stopped, or deadlocked), at the machine's last virtual time: what was
	 * still held or awaited lasted until then. The last event of the stream; {@code tid} is 0.
	 */
	record RunEnded(long position, long time, int tid) implements Event {
	}

	/**
	 * Thread {@code tid} entered the outermost call of a function that acquires {@code lock} (lock, timed lock,
	 * trylock): the acquisition's request. Its {@link LockAcquired} (or {@link TryFailed}, or nothing when a timed
	 * lock gave up) follows when the call returns; the wait is the virtual time between. A condition wait's retaking
	 * of its mutex has no request.
	 *
	 * @param mode     exclusive, or read or write for a rwlock
	 * @param trylock  a trylock, which never waits
	 * @param stack    where: the call's return address first, then the callers'
	 * @param function the lock function called ("pthread_mutex_lock")
	 */
	record LockRequested(long position, long time, int tid, LockRef lock, Mode mode, boolean trylock, CallStack stack,
			String function) implements Event {
		public LockRequested {
			Objects.requireNonNull(lock, "lock");
			Objects.requireNonNull(mode, "mode");
			Objects.requireNonNull(stack, "stack");
			Objects.requireNonNull(function, "function");
		}
	}

	/**
	 * Thread {@code tid} holds {@code lock} from now on: a lock function returned success (a condition wait returned,
	 * retaking its mutex).
	 *
	 * @param mode     exclusive, or read or write for a rwlock
	 * @param trylock  taken by a trylock, which never waits and so never closes a deadlock cycle
	 * @param stack    where: the call's return address first, then the callers'
	 * @param function the lock function called ("pthread_mutex_lock")
	 */
	record LockAcquired(long position, long time, int tid, LockRef lock, Mode mode, boolean trylock, CallStack stack,
			String function) implements Event {
		public LockAcquired {
			Objects.requireNonNull(lock, "lock");
			Objects.requireNonNull(mode, "mode");
			Objects.requireNonNull(stack, "stack");
			Objects.requireNonNull(function, "function");
		}
	}

	/** A trylock of {@code lock} by {@code tid} failed: nothing was taken. */
	record TryFailed(long position, long time, int tid, LockRef lock, CallStack stack, String function)
			implements Event {
	}

	/** Thread {@code tid} gave {@code lock} back (unlock, or the start of a condition wait). */
	record LockReleased(long position, long time, int tid, LockRef lock, CallStack stack, String function)
			implements Event {
	}

	/** A lock was initialised (pthread_mutex_init and the like) at {@code stack}. */
	record LockInitialised(long position, long time, int tid, LockRef lock, CallStack stack) implements Event {
	}

	/**
	 * Thread {@code tid} entered the function at {@code function} (its entry address, as loaded), when its own virtual
	 * clock read {@code threadNanos} (the function profile's hooks, {@code profile.FunctionHooks}).
	 */
	record FunctionEntered(long position, int tid, long function, long threadNanos) implements Event {
		/** A function's events are timed by their thread's own clock, which is what a profile charges. */
		@Override
		public long time() {
			return threadNanos;
		}
	}

	/**
	 * Thread {@code tid}'s innermost open frame of {@code function} ended, {@code how}, at {@code threadNanos} of its own
	 * clock. Every {@link FunctionEntered} has exactly one, innermost first.
	 */
	record FunctionExited(long position, int tid, long function, long threadNanos, FrameEnd how) implements Event {
		/** As {@link FunctionEntered#time()}: the thread's own clock. */
		@Override
		public long time() {
			return threadNanos;
		}
	}

	/** How a function's frame ended. */
	enum FrameEnd {
		/** Its return was seen (RIP at the return address, RSP one word above the entry's). */
		RETURNED,
		/** It jumped to another function's entry in its own place (a tail call): the callee takes its frame. */
		TAIL_CALLED,
		/** The thread went on above it without a return (longjmp, an unwinding): seen at its next hook. */
		UNWOUND,
		/** Its thread ended inside it. */
		THREAD_EXITED,
		/** The process ended inside it (exit_group, or a frame that never returned by the end of the run). */
		RUN_ENDED
	}

	/** How a lock is held. */
	enum Mode {
		EXCLUSIVE, READ, WRITE;

		/** Two read holds of a rwlock never wait for each other. */
		public boolean shared() {
			return this == READ;
		}
	}
}
