package org.insight.vmm.linux;

import java.util.HashMap;
import java.util.Map;

import org.insight.vmm.linux.fd.WaitList;
import org.insight.vmm.sched.GuestThread;

/**
 * The process's signals in flight: those sent to the process and to each thread and not delivered yet, the threads
 * waiting for one (pause, rt_sigsuspend, rt_sigtimedwait), the masks rt_sigsuspend saved, and the calls a signal
 * interrupted that have not returned to user mode yet.
 */
final class PendingSets {
	private final PendingSignals shared = new PendingSignals();
	private final Map<Integer, PendingSignals> perThread = new HashMap<>();
	private final WaitList waiters = new WaitList();
	private final Map<Integer, Long> suspendMasks = new HashMap<>();
	private final Map<Integer, SyscallRestart.Interrupted> interrupted = new HashMap<>();

	/** The signals pending for the whole process. */
	PendingSignals shared() {
		return shared;
	}

	/** The signals pending for {@code thread} alone. */
	PendingSignals of(GuestThread thread) {
		return perThread.computeIfAbsent(thread.tid(), tid -> new PendingSignals());
	}

	/** A signal taken from a pending set, with its siginfo. */
	record Taken(int signal, byte[] info) {
	}

	/**
	 * Takes one pending signal of {@code set} for {@code thread}: its own first, then the process's (Linux's
	 * dequeue_signal); null if none is pending.
	 */
	Taken take(GuestThread thread, long set) {
		PendingSignals from = of(thread);
		int signal = from.next(set);
		if (signal == 0) {
			from = shared;
			signal = from.next(set);
		}
		return signal == 0 ? null : new Taken(signal, from.take(signal));
	}

	/** What rt_sigpending tells {@code thread} (before its mask): its own pending signals and the process's. */
	long visibleTo(GuestThread thread) {
		PendingSignals own = perThread.get(thread.tid());
		return shared.mask() | (own == null ? 0 : own.mask());
	}

	/** Every pending signal, the process's and any thread's. */
	long all() {
		long all = shared.mask();
		for (PendingSignals q : perThread.values()) {
			all |= q.mask();
		}
		return all;
	}

	void discard(int signal) {
		shared.discard(signal);
		for (PendingSignals q : perThread.values()) {
			q.discard(signal);
		}
	}

	/** The threads in pause, rt_sigsuspend or rt_sigtimedwait. */
	WaitList waiters() {
		return waiters;
	}

	/** rt_sigsuspend: the mask {@code thread} had before, which its next signal frame saves (Linux's saved_sigmask). */
	void suspendMask(GuestThread thread, long mask) {
		suspendMasks.put(thread.tid(), mask);
	}

	/** Takes the mask rt_sigsuspend saved for {@code thread}, if any. */
	Long takeSuspendMask(GuestThread thread) {
		return suspendMasks.remove(thread.tid());
	}

	/** A signal ended the call {@code thread} was blocked in ({@link SyscallRestart}). */
	void interrupted(GuestThread thread, SyscallRestart.Interrupted call) {
		interrupted.put(thread.tid(), call);
	}

	/** Takes the call a signal interrupted in {@code thread}, if any, to decide its outcome. */
	SyscallRestart.Interrupted takeInterrupted(GuestThread thread) {
		return interrupted.remove(thread.tid());
	}
}
