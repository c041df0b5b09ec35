package org.insight.vmm.sched;

/** Where a guest thread stands. */
public enum ThreadState {
	/** Running on the vCPU or waiting for it. */
	RUNNABLE,
	/** Blocked in futex wait, maybe with a timeout. */
	FUTEX_WAIT,
	/** Blocked in nanosleep or clock_nanosleep until its deadline. */
	SLEEP,
	/** Blocked on a descriptor (a pipe, an eventfd, a poll), maybe with a timeout: see {@link IoWait}. */
	IO_WAIT,
	/** Exited. */
	DEAD
}
