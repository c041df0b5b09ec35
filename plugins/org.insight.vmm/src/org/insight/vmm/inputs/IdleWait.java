package org.insight.vmm.inputs;

/**
 * Every live guest thread is blocked and the earliest timeout falls at {@code deadlineNanos} on the guest's
 * {@code CLOCK_MONOTONIC}: the machine has nothing to run until then. Asked on behalf of the thread whose timeout is
 * the earliest.
 */
public record IdleWait(int tid, long deadlineNanos) implements InputQuestion {
	@Override
	public String describe() {
		return "idle until CLOCK_MONOTONIC " + deadlineNanos + " ns (timeout of thread " + tid + ")";
	}
}
