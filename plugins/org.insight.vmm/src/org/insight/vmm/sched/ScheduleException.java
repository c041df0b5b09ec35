package org.insight.vmm.sched;

/** The inputs chose a thread that cannot run: a broken policy, or a replay that no longer matches the guest. */
public final class ScheduleException extends RuntimeException {
	private static final long serialVersionUID = 1L;

	public ScheduleException(String message) {
		super(message);
	}
}
