package org.insight.vmm.inputs;

import java.util.List;
import java.util.Optional;

/**
 * The one boundary through which non-determinism enters the guest: every value the guest sees that is not a pure
 * function of its own state, and every decision of the machine that depends on the host (which thread runs, when a
 * thread is preempted, when a timeout expires), is the answer to a question asked here.
 * <p>
 * The machine never asks the host directly. {@link LiveInputs} answers from the host; the record/replay layer wraps
 * it to append each question and answer to a trace, or answers from a trace after checking that the question is the
 * one that was recorded. The machine cannot tell which implementation it talks to.
 * <p>
 * Questions are asked on the vCPU thread only, in the guest's deterministic order.
 */
public interface GuestInputs {
	/** The value of a guest clock in nanoseconds since that clock's epoch (Linux semantics for the clock id). */
	long clockNanos(ClockRead read);

	/**
	 * The time-stamp counter the guest reads with {@code rdtsc} or {@code rdtscp}: ticks of a nominal
	 * {@link #TSC_HZ} counter, never less than an earlier answer of the same run.
	 */
	long tsc(TscRead read);

	/** The guest's nominal TSC frequency: 2 GHz, whatever the host's. */
	long TSC_HZ = 2_000_000_000L;

	/** Exactly {@code request.length()} random bytes. */
	byte[] random(RandomRequest request);

	/**
	 * Reads at most {@code read.maxBytes()} bytes of the guest's standard input into {@code dst} (which is at least
	 * that long). Returns the count (0 at end of input) or a negative Linux errno.
	 */
	int readStdin(StdinRead read, byte[] dst);

	/**
	 * What the guest sees of an output write that the host answered with {@code hostResult} ({@code write.length()}
	 * when it took every byte, else a negative Linux errno). Live inputs pass it on; a recording keeps the failures;
	 * a replay answers the recorded failure at the write it belongs to, and the full length elsewhere, whatever its
	 * own host did with the bytes.
	 */
	long outputResult(OutputWrite write, long hostResult);

	/**
	 * Which thread runs after this sync point: one of {@code runnable}, which is sorted by tid and never empty. It
	 * holds the asking thread if that thread can go on running.
	 */
	int schedule(SyncPoint point, List<Integer> runnable);

	/**
	 * Whether a watchdog kick preempts the running thread where it stands. {@code otherRunnable} lists the other
	 * runnable threads (sorted by tid, possibly empty). When the answer is yes, the machine checks timeouts and asks
	 * {@link #schedule} with a {@link SyncPoint.Kind#PREEMPTED} sync point.
	 */
	boolean preempt(Preemption point, List<Integer> otherRunnable);

	/**
	 * The next preemption these inputs know will happen, if it is the next thing they will be asked about: a replay
	 * knows where the recording preempted, so the machine stops that thread at the first execution whose state
	 * matches the landmark (a breakpoint) and then asks {@link #preempt} with it. Inputs that decide at the kick
	 * (live, recording) know of none.
	 */
	default Optional<Preemption> plannedPreemption() {
		return Optional.empty();
	}

	/**
	 * A fresh countdown of the lock calls between lock-call sync points ({@code --mode locks}): live inputs draw it
	 * from their policy's seed by the current rule, a replay by its recording's. Every call is a sync point unless an
	 * implementation says otherwise.
	 */
	default LockCallCountdown lockCallCountdown() {
		return LockCallCountdown.everyCall();
	}

	/**
	 * Whether these inputs can take no more: a recording whose trace reached its size limit. The machine then stops
	 * the guest before it runs again, as at a wall-clock limit, and the recording ends complete up to there.
	 */
	default boolean atCapacity() {
		return false;
	}

	/**
	 * Nothing can run before {@code wait.deadlineNanos()} on the guest's monotonic clock. Returns when that time has
	 * come, or earlier (the machine then reads the clock and asks again). A live implementation sleeps; a replay
	 * has nothing to wait for.
	 */
	void idle(IdleWait wait);
}
