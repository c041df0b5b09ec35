package org.insight.vmm.machine;

/** Why the machine stopped a guest that had not ended by itself. */
public enum StopReason {
	/** The run's wall-clock limit passed. */
	WALL_LIMIT,
	/** The host asked (a cancelled job, an interrupted thread). */
	CANCELLED,
	/** The inputs can take no more: a recording's trace reached its size limit ({@code --max-trace-size}). */
	TRACE_LIMIT
}
