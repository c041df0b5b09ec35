package org.insight.vmm.linux;

import java.util.List;
import java.util.function.LongSupplier;

import org.insight.vmm.sched.GuestThread;
import org.insight.vmm.sched.IoWait;

/**
 * rt_sigtimedwait(set, info, timeout, sigsetsize), which glibc's and musl's sigwait, sigwaitinfo and sigtimedwait
 * call: takes a pending signal of the set, the thread's own first, then the process's (Linux's dequeue_signal, a
 * synchronous one first, then the lowest), writes its siginfo (as it was queued: si_code SI_USER for kill, SI_TKILL
 * for tkill and tgkill, the sender's pid and uid) and returns its number. The set is taken whether the thread blocks
 * it or not; SIGKILL and SIGSTOP are left out of it.
 * <p>
 * With none pending, the thread waits as a {@link BlockedCall} on the process's signal wait list, which every new
 * pending signal retries, until a signal of the set comes (that retry takes it), or a signal outside the set that
 * the thread does not block (its handler runs as the call returns EINTR; a process signal becomes the thread's own),
 * or the timeout passes (EAGAIN): a deadline on the guest's monotonic clock, read through the inputs only if it must
 * wait, so record and replay wait alike. A zero timeout never waits. As in Linux: a sigsetsize other than 8 is
 * EINVAL, a bad set or timeout pointer EFAULT, an invalid timespec EINVAL, and a siginfo that cannot be written is
 * EFAULT after the signal was taken.
 */
final class SignalTimedWait {
	static final int RT_SIGTIMEDWAIT = 128;

	private SignalTimedWait() {
	}

	static long sigtimedwait(LinuxProcess p, GuestThread t, SyscallArgs a) {
		if (a.a3() != 8) {
			return -Errno.EINVAL;
		}
		long set = p.memory().readU64(a.a0()) & ~SignalCalls.UNBLOCKABLE;
		long timeout = -1;
		if (a.a2() != 0) {
			timeout = TimeCalls.readTimespec(p.memory(), a.a2());
			if (timeout < 0) {
				return -Errno.EINVAL;
			}
		}
		long info = a.a1();
		if (timeout == 0) {
			long r = take(p, t, set, info);
			return r != IoWait.NOT_READY ? r : -Errno.EAGAIN;
		}
		LongSupplier deadline = TimeCalls.deadlineIn(p, timeout);
		return BlockedCall.run(p, t, "rt_sigtimedwait (waiting for a signal)", List.of(p.pending().waiters()),
				deadline, -Errno.EAGAIN, () -> attempt(p, t, set, info));
	}

	/** One try while waiting: a signal of the set, EINTR for another one that {@code t} does not block, or not ready. */
	private static long attempt(LinuxProcess p, GuestThread t, long set, long info) {
		long r = take(p, t, set, info);
		if (r != IoWait.NOT_READY) {
			return r;
		}
		long interrupting = ~t.signalMask() & ~set;
		PendingSignals own = p.pending().of(t);
		if (own.next(interrupting) != 0) {
			return -Errno.EINTR;
		}
		PendingSignals shared = p.pending().shared();
		int other = shared.next(interrupting);
		if (other == 0) {
			return IoWait.NOT_READY;
		}
		own.add(other, shared.take(other));
		return -Errno.EINTR;
	}

	/** Takes a pending signal of {@code set} for {@code t} and writes its siginfo: its number, or not ready. */
	private static long take(LinuxProcess p, GuestThread t, long set, long info) {
		PendingSets.Taken taken = p.pending().take(t, set);
		if (taken == null) {
			return IoWait.NOT_READY;
		}
		if (info != 0) {
			UserAccess.requireWritable(p.memory(), info, taken.info().length); // all of it or nothing
			p.memory().copyOut(info, taken.info());
		}
		return taken.signal();
	}
}
