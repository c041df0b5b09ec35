package org.insight.vmm.linux;

import java.util.List;

import org.insight.vmm.linux.fd.WaitList;
import org.insight.vmm.sched.GuestThread;
import org.insight.vmm.sched.IoWait;

/**
 * pause and rt_sigsuspend: the thread waits, with rt_sigsuspend under a temporary mask, until a signal it does not
 * block is pending for it, then returns EINTR and the handler runs as it returns to user mode (the frame saves the
 * mask from before rt_sigsuspend, which rt_sigreturn puts back). The wait is a {@link BlockedCall} on the process's
 * signal wait list, retried by every {@link LinuxProcess#raise}: a function of guest state, as any blocked call. A
 * process signal that wakes a waiter is handed to that waiter, as Linux's complete_signal would choose it.
 */
final class SignalWaits {
	static final int PAUSE = 34, RT_SIGSUSPEND = 130;

	private SignalWaits() {
	}

	static void register(SyscallTable t) {
		t.register(PAUSE, (p, th, a) -> waitForSignal(p, th, "pause"));
		t.register(RT_SIGSUSPEND, SignalWaits::sigsuspend);
	}

	private static long sigsuspend(LinuxProcess p, GuestThread t, SyscallArgs a) {
		if (a.a1() != 8) {
			return -Errno.EINVAL;
		}
		long mask = p.memory().readU64(a.a0()) & ~SignalCalls.UNBLOCKABLE;
		p.pending().suspendMask(t, t.signalMask());
		t.signalMask(mask);
		return waitForSignal(p, t, "rt_sigsuspend");
	}

	private static long waitForSignal(LinuxProcess p, GuestThread t, String what) {
		return BlockedCall.run(p, t, what + " (waiting for a signal)", List.of(p.pending().waiters()),
				GuestThread.NO_DEADLINE, 0, () -> attempt(p, t));
	}

	/** EINTR once a signal {@code t} does not block is pending for it; a process signal becomes its own. */
	private static long attempt(LinuxProcess p, GuestThread t) {
		long allowed = ~t.signalMask();
		PendingSignals own = p.pending().of(t);
		if (own.next(allowed) != 0) {
			return -Errno.EINTR;
		}
		int signal = p.pending().shared().next(allowed);
		if (signal == 0) {
			return IoWait.NOT_READY;
		}
		own.add(signal, p.pending().shared().take(signal));
		return -Errno.EINTR;
	}

	/** Wakes the waiters a new pending signal concerns (called by raise after queueing one). */
	static void signalled(WaitList waiters) {
		if (!waiters.isEmpty()) {
			waiters.touch();
			BlockedCall.retryWaiters(waiters);
		}
	}
}
