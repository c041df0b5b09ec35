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

	/** Every live thread is blocked and none has a timeout: the guest can never continue. */
	record Deadlocked(List<GuestThread> blocked) implements Decision {
		public Deadlocked {
			blocked = List.copyOf(blocked);
		}
	}

	/** The last thread exited (with {@code exit}, not {@code exit_group}). */
	record AllExited() implements Decision {
	}

	/** The machine was asked to stop while every thread was blocked waiting for a timeout. */
	record Stopped() implements Decision {
	}
}
