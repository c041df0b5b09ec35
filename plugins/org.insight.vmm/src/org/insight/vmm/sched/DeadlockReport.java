package org.insight.vmm.sched;

import java.util.ArrayList;
import java.util.List;

/**
 * An actual deadlock, found when it happens, not predicted. Either every live thread is blocked in futex wait (or
 * otherwise without a timeout), so nothing can ever wake any of them ({@code cycle} empty); or {@code threads} wait for
 * each other's mutexes in a wait-for cycle ({@code cycle}, in the threads' order) while {@code others} may still run.
 *
 * @param threads the deadlocked threads: every blocked one, or those of the cycle
 * @param cycle   thread i waits for {@code cycle.get(i).mutex()}, held by thread i+1 (the last: by the first)
 * @param others  the live threads outside the cycle, wherever they are
 */
public record DeadlockReport(List<ThreadReport> threads, List<Wait> cycle, List<ThreadReport> others) {
	/** One edge of the cycle: the mutex described with the symbol table ("ledger_lock", "0x7f00001234"). */
	public record Wait(int waiter, long mutex, String mutexName, int owner) {
	}

	public DeadlockReport {
		threads = List.copyOf(threads);
		cycle = List.copyOf(cycle);
		others = List.copyOf(others);
	}

	public DeadlockReport(List<ThreadReport> threads) {
		this(threads, List.of(), List.of());
	}

	/** The report of {@code blocked}, their stacks read through {@code scan}. */
	public static DeadlockReport of(List<GuestThread> blocked, StackScan scan) {
		return new DeadlockReport(blocked.stream().map(t -> ThreadReport.of(t, scan)).toList());
	}

	/** The report of a wait-for {@code cycle} among {@code blocked}, beside {@code others}. */
	public static DeadlockReport of(List<GuestThread> blocked, List<MutexWait> cycle, List<GuestThread> others,
			StackScan scan) {
		List<Wait> waits = cycle.stream().map(w -> new Wait(w.waiter(), w.mutex(), scan.describe(w.mutex()), w.owner()))
				.toList();
		return new DeadlockReport(blocked.stream().map(t -> ThreadReport.of(t, scan)).toList(), waits,
				others.stream().map(t -> ThreadReport.of(t, scan)).toList());
	}

	/** Whether the deadlock is a wait-for cycle among some threads (rather than every thread blocked). */
	public boolean isCycle() {
		return !cycle.isEmpty();
	}

	/** How many threads are blocked in futex wait. */
	public long futexWaiters() {
		return threads.stream().filter(t -> t.state() == ThreadState.FUTEX_WAIT).count();
	}

	/** How {@link #describe()} begins for a wait-for cycle. */
	public static final String CYCLE_PREFIX = "deadlock: thread";

	/** One line: "deadlock: all 3 threads blocked", "deadlock: threads 1001, 1002 wait for each other's mutexes". */
	public String describe() {
		if (!isCycle()) {
			return "deadlock: all " + threads.size() + " threads blocked";
		}
		return threads.size() == 1 ? CYCLE_PREFIX + " " + tids() + " waits for a mutex it holds itself"
				: CYCLE_PREFIX + "s " + tids() + " wait for each other's mutexes";
	}

	public String format() {
		StringBuilder s = new StringBuilder();
		if (!isCycle()) {
			s.append("deadlock: all ").append(threads.size()).append(threads.size() == 1 ? " thread is" : " threads are")
					.append(" blocked and none has a timeout\n");
			for (ThreadReport t : threads) {
				s.append("  ").append(t.format()).append('\n');
			}
			return s.toString();
		}
		s.append("deadlock: a wait-for cycle of ").append(threads.size()).append(threads.size() == 1 ? " thread" : " threads")
				.append(" over ").append(cycle.size()).append(cycle.size() == 1 ? " mutex" : " mutexes")
				.append(", which none of them can leave");
		if (!others.isEmpty()) {
			s.append(" (").append(others.size()).append(others.size() == 1 ? " other thread" : " other threads")
					.append(" not in it)");
		}
		s.append('\n');
		for (int i = 0; i < cycle.size(); i++) {
			Wait w = cycle.get(i);
			s.append(String.format("  thread %d waits for mutex 0x%x (%s), held by thread %d%n", w.waiter(), w.mutex(),
					w.mutexName(), w.owner()));
			s.append("    ").append(threads.get(i).format()).append('\n');
		}
		if (!others.isEmpty()) {
			s.append("  not in the cycle:\n");
			for (ThreadReport t : others) {
				s.append("    ").append(t.format()).append('\n');
			}
		}
		return s.toString();
	}

	/** The threads' tids in ascending order, so that a cycle reads the same from whichever thread closed it. */
	private String tids() {
		List<String> tids = new ArrayList<>();
		threads.stream().map(ThreadReport::tid).sorted().forEach(t -> tids.add(Integer.toString(t)));
		return String.join(", ", tids);
	}
}
