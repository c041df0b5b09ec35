package org.insight.vmm.inputs;

/**
 * A question the machine asks its {@link GuestInputs}: a small immutable value, so that a replay can compare the
 * question it is asked with the one that was recorded and report "expected X, got Y" field by field.
 * <p>
 * Every question names the guest thread on whose behalf it is asked.
 */
public sealed interface InputQuestion permits ClockRead, RandomRequest, StdinRead, OutputWrite, SyncPoint,
		Preemption, IdleWait, TscRead {
	/** The guest thread that asks. */
	int tid();

	/** One line for messages, e.g. "clock_gettime(CLOCK_MONOTONIC) by thread 1000". */
	String describe();
}
