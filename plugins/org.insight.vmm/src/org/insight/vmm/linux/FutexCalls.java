package org.insight.vmm.linux;

import org.insight.vmm.inputs.ClockRead;
import org.insight.vmm.sched.GuestThread;

/**
 * futex(2): WAIT, WAKE, their BITSET forms, REQUEUE, CMP_REQUEUE and WAKE_OP, private or not, with relative or
 * absolute timeouts on CLOCK_MONOTONIC or (FUTEX_CLOCK_REALTIME) CLOCK_REALTIME. The wait queues live in the
 * {@link org.insight.vmm.sched.Scheduler}. The priority-inheritance lock operations are in {@link PiFutexCalls}; the
 * requeue-PI ones are ENOSYS (no libc's condition variable uses them).
 * <p>
 * Error precedence follows Linux: a bad timeout (EFAULT, EINVAL) before a bad futex word (EFAULT), before a value
 * mismatch (EAGAIN), before an expired timeout (ETIMEDOUT). A private wake does not touch the futex word, so it
 * works on any aligned address, as in Linux. A wake or requeue that meets a PI waiter is EINVAL, as in Linux.
 */
final class FutexCalls {
	static final int FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_FD = 2, FUTEX_REQUEUE = 3, FUTEX_CMP_REQUEUE = 4,
			FUTEX_WAKE_OP = 5, FUTEX_LOCK_PI = 6, FUTEX_UNLOCK_PI = 7, FUTEX_TRYLOCK_PI = 8, FUTEX_WAIT_BITSET = 9,
			FUTEX_WAKE_BITSET = 10, FUTEX_WAIT_REQUEUE_PI = 11, FUTEX_CMP_REQUEUE_PI = 12, FUTEX_LOCK_PI2 = 13;
	static final int FUTEX_PRIVATE_FLAG = 128;
	static final int FUTEX_CLOCK_REALTIME = 256;
	static final int FUTEX_BITSET_MATCH_ANY = -1;

	private static final String[] OP_NAMES = { "FUTEX_WAIT", "FUTEX_WAKE", "FUTEX_FD", "FUTEX_REQUEUE",
			"FUTEX_CMP_REQUEUE", "FUTEX_WAKE_OP", "FUTEX_LOCK_PI", "FUTEX_UNLOCK_PI", "FUTEX_TRYLOCK_PI",
			"FUTEX_WAIT_BITSET", "FUTEX_WAKE_BITSET", "FUTEX_WAIT_REQUEUE_PI", "FUTEX_CMP_REQUEUE_PI",
			"FUTEX_LOCK_PI2" };

	private FutexCalls() {
	}

	static void register(SyscallTable t) {
		t.register(Syscalls.FUTEX, FutexCalls::futex);
	}

	/** "FUTEX_WAIT_BITSET|FUTEX_PRIVATE_FLAG" style name of an op argument. */
	static String opName(int op) {
		int cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
		String name = cmd >= 0 && cmd < OP_NAMES.length ? OP_NAMES[cmd] : "futex op " + cmd;
		if ((op & FUTEX_PRIVATE_FLAG) != 0) {
			name += "|FUTEX_PRIVATE_FLAG";
		}
		if ((op & FUTEX_CLOCK_REALTIME) != 0) {
			name += "|FUTEX_CLOCK_REALTIME";
		}
		return name;
	}

	private static long futex(LinuxProcess p, GuestThread t, SyscallArgs a) {
		long uaddr = a.a0();
		int op = a.intArg(1);
		int cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
		boolean realtime = (op & FUTEX_CLOCK_REALTIME) != 0;
		boolean shared = (op & FUTEX_PRIVATE_FLAG) == 0;
		if (realtime && cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT_REQUEUE_PI
				&& cmd != FUTEX_LOCK_PI2) {
			return -Errno.ENOSYS;
		}
		switch (cmd) {
		case FUTEX_WAIT:
			return wait(p, t, uaddr, a.intArg(2), a.a3(), true, clockFor(realtime), FUTEX_BITSET_MATCH_ANY);
		case FUTEX_WAIT_BITSET:
			if (a.intArg(5) == 0) {
				return -Errno.EINVAL;
			}
			return wait(p, t, uaddr, a.intArg(2), a.a3(), false, clockFor(realtime), a.intArg(5));
		case FUTEX_WAKE:
			return wake(p, uaddr, a.intArg(2), FUTEX_BITSET_MATCH_ANY, shared);
		case FUTEX_WAKE_BITSET:
			if (a.intArg(5) == 0) {
				return -Errno.EINVAL;
			}
			return wake(p, uaddr, a.intArg(2), a.intArg(5), shared);
		case FUTEX_REQUEUE:
			return requeue(p, uaddr, a.a4(), a.intArg(2), a.intArg(3), false, 0, shared);
		case FUTEX_CMP_REQUEUE:
			return requeue(p, uaddr, a.a4(), a.intArg(2), a.intArg(3), true, a.intArg(5), shared);
		case FUTEX_WAKE_OP:
			return wakeOp(p, uaddr, a.a4(), a.intArg(2), a.intArg(3), a.intArg(5));
		case FUTEX_LOCK_PI, FUTEX_LOCK_PI2, FUTEX_TRYLOCK_PI:
			return PiFutexCalls.lock(p, t, uaddr, a.a3(), PiFutexCalls.lockClock(cmd, realtime),
					cmd == FUTEX_TRYLOCK_PI);
		case FUTEX_UNLOCK_PI:
			return PiFutexCalls.unlock(p, t, uaddr);
		default:
			p.note("futex " + opName(op) + " is not supported (ENOSYS)");
			return -Errno.ENOSYS;
		}
	}

	private static int clockFor(boolean realtime) {
		return realtime ? ClockRead.CLOCK_REALTIME : ClockRead.CLOCK_MONOTONIC;
	}

	private static boolean misaligned(long uaddr) {
		return (uaddr & 3) != 0;
	}

	/**
	 * FUTEX_WAIT (relative timeout, always measured on the monotonic clock) and FUTEX_WAIT_BITSET (absolute timeout
	 * on {@code clock}).
	 */
	private static long wait(LinuxProcess p, GuestThread t, long uaddr, int expected, long timeout, boolean relative,
			int clock, int bitset) {
		if (misaligned(uaddr)) {
			return -Errno.EINVAL;
		}
		long deadline = GuestThread.NO_DEADLINE;
		if (timeout != 0) {
			long ns = TimeCalls.readTimespec(p.memory(), timeout);
			if (ns < 0) {
				return -Errno.EINVAL;
			}
			deadline = relative ? TimeCalls.saturatedAdd(p.scheduler().monotonicNow(), ns)
					: TimeCalls.monotonicDeadline(p, clock, ns);
		}
		if (p.memory().readU32(uaddr) != expected) {
			return -Errno.EAGAIN;
		}
		if (deadline != GuestThread.NO_DEADLINE && deadline <= p.scheduler().monotonicNow()) {
			return -Errno.ETIMEDOUT;
		}
		p.scheduler().waitOnFutex(t, uaddr, bitset, deadline, -Errno.ETIMEDOUT);
		return 0;
	}

	/** Like Linux, a count of 0 or less still wakes one waiter. */
	private static long wake(LinuxProcess p, long uaddr, int count, int bitset, boolean shared) {
		if (misaligned(uaddr)) {
			return -Errno.EINVAL;
		}
		if (shared) {
			p.memory().readU32(uaddr); // a shared futex is looked up through its page, which must exist
		}
		if (PiFutexCalls.piWaited(p.scheduler(), uaddr)) {
			return -Errno.EINVAL;
		}
		return p.scheduler().wakeFutex(uaddr, Math.max(count, 1), bitset);
	}

	private static long requeue(LinuxProcess p, long uaddr, long uaddr2, int wake, int move, boolean compare,
			int expected, boolean shared) {
		if (misaligned(uaddr) || misaligned(uaddr2) || wake < 0 || move < 0) {
			return -Errno.EINVAL;
		}
		if (compare || shared) {
			int value = p.memory().readU32(uaddr);
			if (shared) {
				p.memory().readU32(uaddr2);
			}
			if (compare && value != expected) {
				return -Errno.EAGAIN;
			}
		}
		if (PiFutexCalls.piWaited(p.scheduler(), uaddr)) {
			return -Errno.EINVAL;
		}
		return p.scheduler().requeueFutex(uaddr, uaddr2, wake, move);
	}

	/**
	 * FUTEX_WAKE_OP: atomically applies the encoded operation to the word at {@code uaddr2}, wakes waiters on
	 * {@code uaddr}, and, if the old value of the second word passes the encoded comparison, waiters on
	 * {@code uaddr2}.
	 */
	private static long wakeOp(LinuxProcess p, long uaddr, long uaddr2, int wake, int wake2, int encoded) {
		if (misaligned(uaddr) || misaligned(uaddr2)) {
			return -Errno.EINVAL;
		}
		int op = (encoded >>> 28) & 7;
		int cmp = (encoded >>> 24) & 15;
		int oparg = (encoded << 8) >> 20;
		int cmparg = (encoded << 20) >> 20;
		if ((encoded & 0x8000_0000) != 0) {
			oparg = 1 << (oparg & 31);
		}
		if (op > 4 || cmp > 5) {
			return -Errno.ENOSYS;
		}
		int old = p.memory().readU32(uaddr2);
		int updated = switch (op) {
		case 0 -> oparg;
		case 1 -> old + oparg;
		case 2 -> old | oparg;
		case 3 -> old & ~oparg;
		default -> old ^ oparg;
		};
		p.memory().writeU32(uaddr2, updated);
		boolean condition = switch (cmp) {
		case 0 -> old == cmparg;
		case 1 -> old != cmparg;
		case 2 -> old < cmparg;
		case 3 -> old <= cmparg;
		case 4 -> old > cmparg;
		default -> old >= cmparg;
		};
		if (PiFutexCalls.piWaited(p.scheduler(), uaddr)) {
			return -Errno.EINVAL;
		}
		long woken = p.scheduler().wakeFutex(uaddr, Math.max(wake, 1), FUTEX_BITSET_MATCH_ANY);
		if (condition && PiFutexCalls.piWaited(p.scheduler(), uaddr2)) {
			return -Errno.EINVAL;
		}
		if (condition) {
			woken += p.scheduler().wakeFutex(uaddr2, Math.max(wake2, 1), FUTEX_BITSET_MATCH_ANY);
		}
		return woken;
	}
}
