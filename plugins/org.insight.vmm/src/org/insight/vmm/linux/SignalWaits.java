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
 * process signal that wakes a waiter is handed to that waiter, as Linux's complete_signal would choose it. A handled
 * signal for a thread blocked in another call interrupts that call ({@link #signalled}).
 */
final class SignalWaits {
	static final int PAUSE = 34, RT_SIGSUSPEND = 130;

	private SignalWaits() {
	}

	static void register(SyscallTable t) {
		t.register(PAUSE, (p, th, a) -> waitForSignal(p, th, "pause"));
		t.register(RT_SIGSUSPEND, SignalWaits::sigsuspend);
		t.register(SignalTimedWait.RT_SIGTIMEDWAIT, SignalTimedWait::sigtimedwait);
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

	/**
	 * Signal {@code signal} was queued for {@code target} (null: the process). First the signal waiters (pause,
	 * rt_sigsuspend, rt_sigtimedwait) are retried, oldest first, and may take it. If it is still pending and has a
	 * handler, the thread it is for is woken from the call it is blocked in ({@link SyscallRestart}): the target, or
	 * for a process signal the thread Linux's complete_signal would choose (the main thread if it does not block the
	 * signal, otherwise the first in tid order that does not), which then gets the signal as its own. A runnable
	 * thread needs nothing: it takes the signal when it returns to user mode.
	 */
	static void signalled(LinuxProcess p, int signal, GuestThread target) {
		WaitList waiters = p.pending().waiters();
		if (!waiters.isEmpty()) {
			waiters.touch();
			BlockedCall.retryWaiters(waiters);
		}
		SignalAction act = p.action(signal);
		long bit = SignalCalls.bit(signal);
		if (act.isDefault() || act.isIgnored() || p.isTerminated()) {
			return;
		}
		if (target != null) {
			if ((p.pending().of(target).mask() & bit) != 0 && (target.signalMask() & bit) == 0
					&& target.isBlocked()) {
				SyscallRestart.interrupt(p, target);
			}
			return;
		}
		PendingSignals shared = p.pending().shared();
		if ((shared.mask() & bit) == 0) {
			return;
		}
		GuestThread chosen = chooseThread(p, bit);
		if (chosen != null && chosen.isBlocked() && SyscallRestart.interrupt(p, chosen)) {
			p.pending().of(chosen).add(signal, shared.take(signal));
		}
	}

	/** complete_signal's choice for a process signal: the main thread if it does not block it, else the first other. */
	private static GuestThread chooseThread(LinuxProcess p, long bit) {
		GuestThread main = p.scheduler().find(p.pid()).orElse(null);
		if (main != null && (main.signalMask() & bit) == 0) {
			return main;
		}
		for (GuestThread t : p.scheduler().liveThreads()) {
			if ((t.signalMask() & bit) == 0) {
				return t;
			}
		}
		return null;
	}
}
