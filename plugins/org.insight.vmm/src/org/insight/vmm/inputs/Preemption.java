package org.insight.vmm.inputs;

import java.util.Objects;

/**
 * A watchdog kick stopped thread {@code tid} at an arbitrary instruction, after {@code syncIndex} sync points: should
 * it be preempted here? {@code timersPending} says whether some blocked thread waits with a timeout that may have
 * expired (the machine only checks timeouts at sync points). If the answer is yes, this place becomes the thread's
 * sync point number {@code syncIndex}, of kind {@link SyncPoint.Kind#PREEMPTED}.
 */
public record Preemption(int tid, long syncIndex, Landmark landmark, boolean timersPending) implements InputQuestion {
	public Preemption {
		Objects.requireNonNull(landmark, "landmark");
	}

	@Override
	public String describe() {
		return String.format("watchdog kick of thread %d after %d sync points at rip 0x%x%s", tid, syncIndex,
				landmark.rip(), timersPending ? " (timeouts pending)" : "");
	}
}
