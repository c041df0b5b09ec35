package org.insight.vmm.inputs;

import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Round-robin in tid order with a time slice measured on the host: a thread keeps the vCPU across its syscalls until
 * its slice is used up (checked at syscalls and, in {@code --mode locks}, at lock calls), then the next runnable thread after it (by tid, wrapping around) runs. A thread that blocks,
 * exits or yields hands over at once; a watchdog kick preempts whenever something else could run.
 */
public final class RoundRobin implements SchedulingPolicy {
	private final long sliceNanos;
	private final LongSupplier hostNanos;
	private int running = -1;
	private long sliceStart;

	public RoundRobin(Duration slice) {
		this(slice, System::nanoTime);
	}

	/** With the host clock given, so tests can move time by hand. */
	public RoundRobin(Duration slice, LongSupplier hostNanos) {
		if (slice.isNegative()) {
			throw new IllegalArgumentException("negative time slice " + slice);
		}
		this.sliceNanos = slice.toNanos();
		this.hostNanos = hostNanos;
	}

	@Override
	public int choose(SyncPoint point, List<Integer> runnable) {
		if (runnable.isEmpty()) {
			throw new IllegalArgumentException("nothing runnable at " + point.describe());
		}
		int current = point.tid();
		long now = hostNanos.getAsLong();
		if (running != current) {
			// First question, or the thread was chosen elsewhere (a kick): its slice starts now.
			running = current;
			sliceStart = now;
		}
		int next = switch (point.kind()) {
		case SYSCALL, LOCK_CALL -> runnable.contains(current) && now - sliceStart < sliceNanos ? current : after(current, runnable);
		case YIELD, BLOCKED, EXITED, PREEMPTED -> after(current, runnable);
		};
		if (next != running || next == current && now - sliceStart >= sliceNanos) {
			running = next;
			sliceStart = now;
		}
		return next;
	}

	@Override
	public boolean preempt(Preemption point, List<Integer> otherRunnable) {
		return !otherRunnable.isEmpty() || point.timersPending();
	}

	/** The first runnable tid after {@code current}, wrapping around; {@code current} itself only if it is alone. */
	static int after(int current, List<Integer> runnable) {
		Integer first = null;
		for (int tid : runnable) {
			if (tid == current) {
				continue;
			}
			if (first == null) {
				first = tid;
			}
			if (tid > current) {
				return tid;
			}
		}
		if (first != null) {
			return first;
		}
		return runnable.get(0);
	}
}
