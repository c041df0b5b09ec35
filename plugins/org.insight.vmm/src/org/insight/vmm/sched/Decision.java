package org.insight.vmm.sched;

import java.util.List;

import org.insight.vmm.inputs.SyncPoint;

/** What the scheduler decided at a sync point or a watchdog kick. */
public sealed interface Decision {
	/**
	 * Run {@code thread} next; {@code switched} when it is not the thread that ran before. {@code point} is the kind
	 * of sync point that was decided, or null when a watchdog kick did not preempt.
	 */
	record Run(GuestThread thread, boolean switched, SyncPoint.Kind point) implements Decision {
	}

	/**
	 * The guest can never continue as a whole ({@code cycle} empty: every live thread is blocked and none has a
	 * timeout), or some of its threads never can: {@code blocked} wait for each other's mutexes in {@code cycle} (thread
	 * i waits for a mutex thread i+1 holds, the last for one the first holds), while {@code others} may still run.
	 */
	record Deadlocked(List<GuestThread> blocked, List<MutexWait> cycle, List<GuestThread> others) implements Decision {
		public Deadlocked {
			blocked = List.copyOf(blocked);
			cycle = List.copyOf(cycle);
			others = List.copyOf(others);
		}

		/** Every live thread blocked without a timeout. */
		public Deadlocked(List<GuestThread> blocked) {
			this(blocked, List.of(), List.of());
		}
	}

	/** The last thread exited (with {@code exit}, not {@code exit_group}). */
	record AllExited() implements Decision {
	}

	/** The machine was asked to stop while every thread was blocked waiting for a timeout. */
	record Stopped() implements Decision {
	}

	/** A timer's expiry at this sync point ended the process ({@link Alarms#ended}). */
	record Ended() implements Decision {
	}
}
