package org.insight.vmm.inputs;

import java.util.List;

/**
 * How live inputs decide which guest thread runs: at sync points and at watchdog kicks. A policy may measure time
 * on the host (a time slice); its answers are recorded, so a replay never asks it again.
 */
public interface SchedulingPolicy {
	/** See {@link GuestInputs#schedule}. */
	int choose(SyncPoint point, List<Integer> runnable);

	/** See {@link GuestInputs#preempt}. */
	boolean preempt(Preemption point, List<Integer> otherRunnable);
}
