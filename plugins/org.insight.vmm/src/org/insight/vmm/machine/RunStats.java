package org.insight.vmm.machine;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

import org.insight.vmm.inputs.SyncPoint;
import org.insight.vmm.linux.Syscalls;

/**
 * Counters and times of one run, filled by the {@link VcpuLoop} on the vCPU thread: exits by kind and the host time
 * spent on each kind, syscalls by number, exceptions by vector, thread switches by cause, watchdog kicks, and a few
 * facts from the scheduler and the address space gathered at the end.
 */
public final class RunStats {
	/** The kinds of exits the loop tells apart. */
	public enum ExitKind {
		SYSCALL, PAGE_FAULT, EXCEPTION, KICK, OTHER
	}

	private final EnumMap<ExitKind, Long> exits = new EnumMap<>(ExitKind.class);
	private final EnumMap<ExitKind, Long> handlingNanos = new EnumMap<>(ExitKind.class);
	private final long[] syscalls = new long[Syscalls.limit()];
	private final Map<Long, Long> otherSyscalls = new TreeMap<>();
	private final long[] exceptions = new long[ExceptionVectors.COUNT];
	private final EnumMap<SyncPoint.Kind, Long> switches = new EnumMap<>(SyncPoint.Kind.class);
	private Map<Integer, Long> unknownSyscalls = Map.of();
	private long guestNanos;
	private long switchNanos;
	private long kicks;
	private long kicksInKernelArea;
	private long kicksDeclined;
	private long wallNanos;
	private long threadsCreated;
	private long idleWaits;
	private long timeoutsExpired;
	private long demandFaults;
	private long vmmPopulated;
	private long invalidations;
	private long landmarks;
	private long landmarkFalseHits;
	private long landmarkNanos;
	private long landmarksCompared;
	private long repRuns;
	private long repRunsToLandmark;
	/** Why the landmark comparator was refused, by reason, in first-refusal order. */
	private final Map<String, Long> comparatorRefusals = new java.util.LinkedHashMap<>();
	/** Lock calls ({@code --mode locks}) by function name, in first-call order. */
	private final Map<String, Long> lockCalls = new java.util.LinkedHashMap<>();
	private long lockCallNanos;
	private long lockSyncPoints;
	private long lockRingFull;
	private long observedNanos;
	private int lockHooks;
	private int lockStubs;
	/** Why hooked lock functions have an int3 rather than a stub, with how many functions each. */
	private Map<String, Integer> lockInt3Reasons = Map.of();

	void exit(ExitKind kind, long nanos) {
		exits.merge(kind, 1L, Long::sum);
		handlingNanos.merge(kind, nanos, Long::sum);
	}

	void guest(long nanos) {
		guestNanos += nanos;
	}

	void syscall(long nr) {
		if (nr >= 0 && nr < syscalls.length) {
			syscalls[(int) nr]++;
		} else {
			otherSyscalls.merge(nr, 1L, Long::sum);
		}
	}

	void exception(int vector) {
		exceptions[vector]++;
	}

	void switched(SyncPoint.Kind cause, long nanos) {
		switches.merge(cause, 1L, Long::sum);
		switchNanos += nanos;
	}

	void kick(boolean inKernelArea, boolean declined) {
		kicks++;
		if (inKernelArea) {
			kicksInKernelArea++;
		}
		if (declined) {
			kicksDeclined++;
		}
	}

	/**
	 * A replay stopped at a planned landmark ({@code hit}), or took a breakpoint or step exit on the way to one;
	 * {@code nanos} is what it cost outside the guest's own work (the exit round trip and its handling).
	 */
	void landmark(boolean hit, long nanos) {
		if (hit) {
			landmarks++;
		}
		landmarkNanos += nanos;
	}

	/**
	 * A REP string instruction ran at native speed at a landmark's int3 instead of a step per iteration
	 * ({@link RepFastForward}): to the landmark's iteration, or whole.
	 */
	void repRun(boolean toLandmark) {
		repRuns++;
		if (toLandmark) {
			repRunsToLandmark++;
		}
	}

	/** REP string instructions run at native speed at a landmark's int3 ({@link #repRun}). */
	public long repRuns() {
		return repRuns;
	}

	/** A replay stopped at a planned landmark found by the landmark comparator (not by the int3). */
	void landmarkCompared() {
		landmarksCompared++;
	}

	/** The landmark comparator could not be used for a landmark, which fell back to its int3, for this reason. */
	void comparatorRefused(String why) {
		comparatorRefusals.merge(why, 1L, Long::sum);
	}

	/** A landmark breakpoint was hit in a state that was not the landmark's, and stepped over. */
	void landmarkFalseHit() {
		landmarkFalseHits++;
	}

	/** How many lock functions {@code --mode locks} put a breakpoint on. */
	void lockHooks(int n) {
		lockHooks = n;
	}

	/** How many hooked lock functions are entered through a stub, and why the others have an int3. */
	void lockStubs(int n, Map<String, Integer> int3Reasons) {
		lockStubs = n;
		lockInt3Reasons = Map.copyOf(int3Reasons);
	}

	/** Hooked lock functions entered through a stub (one exception per call rather than two). */
	public int lockStubs() {
		return lockStubs;
	}

	/**
	 * A call of lock function {@code name}, costing {@code nanos} of host time (breakpoint and step exits; 0 for a
	 * call the VMM learnt of from the stubs' ring, which cost it no exit).
	 */
	void lockCall(String name, long nanos) {
		lockCalls.merge(name, 1L, Long::sum);
		lockCallNanos += nanos;
	}

	/** Host time of a lock call's exits, the call counted already ({@link #lockCall}). */
	void lockCallNanos(long nanos) {
		lockCallNanos += nanos;
	}

	/** A lock call that was a sync point (the countdown ran out). */
	void lockSyncPoint() {
		lockSyncPoints++;
	}

	/** Lock calls that were sync points. */
	public long lockSyncPoints() {
		return lockSyncPoints;
	}

	/** The stubs stopped because their ring was full (no sync point). */
	void lockRingFull() {
		lockRingFull++;
	}

	/** A replay observer's hook: its handling or its step-over, costing {@code nanos} of host time. */
	void observed(long nanos) {
		observedNanos += nanos;
	}

	/** Host time spent in the replay observer's hooks (ns). */
	public long observedNanos() {
		return observedNanos;
	}

	/** Host time of a lock function's step-over (the second exit of a lock call). */
	void lockStep(long nanos) {
		lockCallNanos += nanos;
	}

	/** Facts gathered once the run has ended (from the scheduler, the address space and the syscall table). */
	public void finish(long wall, long threads, long idle, long timeouts, long demand, long populated, long invalid,
			Map<Integer, Long> unknown) {
		wallNanos = wall;
		threadsCreated = threads;
		idleWaits = idle;
		timeoutsExpired = timeouts;
		demandFaults = demand;
		vmmPopulated = populated;
		invalidations = invalid;
		unknownSyscalls = new TreeMap<>(unknown);
	}

	public long exits() {
		return exits.values().stream().mapToLong(Long::longValue).sum();
	}

	public long exits(ExitKind kind) {
		return exits.getOrDefault(kind, 0L);
	}

	/** Host time spent handling exits of {@code kind} (outside KVM_RUN). */
	public long handlingNanos(ExitKind kind) {
		return handlingNanos.getOrDefault(kind, 0L);
	}

	/** Time inside KVM_RUN: the guest running, plus the exit round trips. */
	public long guestNanos() {
		return guestNanos;
	}

	public long syscalls(long nr) {
		return nr >= 0 && nr < syscalls.length ? syscalls[(int) nr] : otherSyscalls.getOrDefault(nr, 0L);
	}

	/** Syscall number to count, for every number called. */
	public Map<Long, Long> syscallsByNumber() {
		Map<Long, Long> m = new TreeMap<>(otherSyscalls);
		for (int i = 0; i < syscalls.length; i++) {
			if (syscalls[i] != 0) {
				m.put((long) i, syscalls[i]);
			}
		}
		return m;
	}

	public long exceptions(int vector) {
		return exceptions[vector];
	}

	public long switches() {
		return switches.values().stream().mapToLong(Long::longValue).sum();
	}

	/** Host time spent switching guest threads (saving and loading their contexts). */
	public long switchNanos() {
		return switchNanos;
	}

	public long switches(SyncPoint.Kind cause) {
		return switches.getOrDefault(cause, 0L);
	}

	public long kicks() {
		return kicks;
	}

	public long kicksInKernelArea() {
		return kicksInKernelArea;
	}

	/** Kicks after which the inputs kept the thread running. */
	public long kicksDeclined() {
		return kicksDeclined;
	}

	/** Planned preemptions a replay reached at their landmark breakpoint. */
	public long landmarks() {
		return landmarks;
	}

	/** Of {@link #landmarks()}, those the landmark comparator found; the others were found by their int3. */
	public long landmarksCompared() {
		return landmarksCompared;
	}

	/** Why the comparator gave way to the int3, with how many times, in first-refusal order. */
	public Map<String, Long> comparatorRefusals() {
		return java.util.Collections.unmodifiableMap(comparatorRefusals);
	}

	/** Landmark breakpoint hits whose state did not match (stepped over). */
	public long landmarkFalseHits() {
		return landmarkFalseHits;
	}

	/** Host time spent on landmark breakpoints and step-overs. */
	public long landmarkNanos() {
		return landmarkNanos;
	}

	public long wallNanos() {
		return wallNanos;
	}

	public long threadsCreated() {
		return threadsCreated;
	}

	public long idleWaits() {
		return idleWaits;
	}

	public long timeoutsExpired() {
		return timeoutsExpired;
	}

	public long demandFaults() {
		return demandFaults;
	}

	/** Syscalls the personality does not have, with their counts. */
	public Map<Integer, Long> unknownSyscalls() {
		return Collections.unmodifiableMap(unknownSyscalls);
	}

	/** Calls of lock functions, by function name ({@code --mode locks}). */
	public Map<String, Long> lockCalls() {
		return Collections.unmodifiableMap(lockCalls);
	}

	public long lockCallCount() {
		return lockCalls.values().stream().mapToLong(Long::longValue).sum();
	}

	/** Host time spent on lock-call breakpoints and step-overs. */
	public long lockCallNanos() {
		return lockCallNanos;
	}

	/** Lock functions hooked ({@code --mode locks}); 0 in {@code syscalls} mode. */
	public int lockHooks() {
		return lockHooks;
	}

	/** A few lines for {@code --stats}. */
	public String format() {
		StringBuilder s = new StringBuilder();
		s.append(String.format("wall %.3f s, in KVM_RUN %.3f s, exits %d%n", wallNanos / 1e9, guestNanos / 1e9,
				exits()));
		s.append("exits by kind:");
		for (ExitKind k : ExitKind.values()) {
			long n = exits(k);
			if (n > 0) {
				s.append(String.format(" %s %d (%.1f us each)", k.name().toLowerCase(), n,
						handlingNanos(k) / 1e3 / n));
			}
		}
		s.append(System.lineSeparator());
		s.append("syscalls:");
		syscallsByNumber().forEach((nr, n) -> s.append(' ').append(Syscalls.name(nr)).append(' ').append(n));
		s.append(System.lineSeparator());
		if (!unknownSyscalls.isEmpty()) {
			s.append("unknown syscalls (ENOSYS):");
			unknownSyscalls.forEach((nr, n) -> s.append(' ').append(Syscalls.name(nr)).append(' ').append(n));
			s.append(System.lineSeparator());
		}
		StringBuilder exc = new StringBuilder();
		for (int v = 0; v < exceptions.length; v++) {
			if (exceptions[v] != 0) {
				exc.append(' ').append(ExceptionVectors.name(v)).append(' ').append(exceptions[v]);
			}
		}
		if (exc.length() > 0) {
			s.append("exceptions:").append(exc).append(String.format(" (%d pages populated on demand, %d by the VMM, "
					+ "%d translations invalidated)%n", demandFaults, vmmPopulated, invalidations));
		}
		s.append(String.format("threads %d; switches %d", threadsCreated, switches()));
		if (switches() > 0) {
			s.append(" (");
			String sep = "";
			for (Map.Entry<SyncPoint.Kind, Long> e : switches.entrySet()) {
				s.append(sep).append(e.getKey().name().toLowerCase()).append(' ').append(e.getValue());
				sep = ", ";
			}
			s.append(String.format("; %.1f us each)", switchNanos / 1e3 / switches()));
		}
		s.append(System.lineSeparator());
		s.append(String.format("kicks %d (in a stub, the gate or the landmark comparator %d, not preempted %d); idle "
				+ "waits %d, timeouts expired %d%n", kicks, kicksInKernelArea, kicksDeclined, idleWaits, timeoutsExpired));
		if (lockHooks > 0) {
			s.append(String.format("lock calls %d at %d hooked functions (%.1f us each):", lockCallCount(), lockHooks,
					lockCallCount() == 0 ? 0.0 : lockCallNanos / 1e3 / lockCallCount()));
			lockCalls.forEach((name, n) -> s.append(' ').append(name).append(' ').append(n));
			s.append(System.lineSeparator());
			s.append(String.format("  sync points at %d of the calls; the stubs' ring was full %d times%n",
					lockSyncPoints, lockRingFull));
			s.append(String.format("  %d of the functions through a stub (an exception at a sync point only), %d "
					+ "through an int3 (two a call)%n", lockStubs, lockHooks - lockStubs));
			new java.util.TreeMap<>(lockInt3Reasons).forEach((why, n) -> s.append(String.format(
					"  int3 for %d: %s%n", n, why)));
		}
		if (landmarks > 0 || landmarkFalseHits > 0) {
			s.append(String.format("landmarks %d, false hits %d, %.0f us; reached by the comparator %d%n", landmarks,
					landmarkFalseHits, landmarkNanos / 1e3, landmarksCompared));
			if (repRuns > 0) {
				s.append(String.format("  REP string instructions run unstepped %d times, %d of them to a landmark%n",
						repRuns, repRunsToLandmark));
			}
			comparatorRefusals.forEach((why, n) -> s.append(String.format("  comparator refused %d times: %s%n", n,
					why)));
		}
		return s.toString();
	}
}
