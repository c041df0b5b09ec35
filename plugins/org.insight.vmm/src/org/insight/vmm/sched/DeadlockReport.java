package org.insight.vmm.sched;

import java.util.List;

/**
 * An actual deadlock: every live thread is blocked in futex wait (or otherwise without a timeout), so nothing can
 * ever wake any of them. Found when it happens, not predicted.
 */
public record DeadlockReport(List<ThreadReport> threads) {
	public DeadlockReport {
		threads = List.copyOf(threads);
	}

	/** The report of {@code blocked}, their stacks read through {@code scan}. */
	public static DeadlockReport of(List<GuestThread> blocked, StackScan scan) {
		return new DeadlockReport(blocked.stream().map(t -> ThreadReport.of(t, scan)).toList());
	}

	/** How many threads are blocked in futex wait. */
	public long futexWaiters() {
		return threads.stream().filter(t -> t.state() == ThreadState.FUTEX_WAIT).count();
	}

	public String format() {
		StringBuilder s = new StringBuilder("deadlock: all ").append(threads.size())
				.append(threads.size() == 1 ? " thread is" : " threads are")
				.append(" blocked and none has a timeout\n");
		for (ThreadReport t : threads) {
			s.append("  ").append(t.format()).append('\n');
		}
		return s.toString();
	}
}
