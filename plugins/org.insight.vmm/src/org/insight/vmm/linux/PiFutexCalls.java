package org.insight.vmm.linux;

import static org.insight.vmm.linux.RobustList.FUTEX_OWNER_DIED;
import static org.insight.vmm.linux.RobustList.FUTEX_TID_MASK;
import static org.insight.vmm.linux.RobustList.FUTEX_WAITERS;

import java.util.List;

import org.insight.vmm.inputs.ClockRead;
import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.sched.GuestThread;
import org.insight.vmm.sched.Scheduler;

/**
 * The priority-inheritance futex operations, as Linux's protocol (kernel/futex/pi.c) but without the priority
 * boost: all guest threads have one priority and one vCPU runs them in the scheduler's order, so waiters are served
 * first in, first out. The futex word holds the owner's TID, FUTEX_WAITERS when someone waits and FUTEX_OWNER_DIED
 * after a robust owner died. The waiters are the futex queue of the word itself.
 * <ul>
 * <li>FUTEX_LOCK_PI / LOCK_PI2: a word without owner is taken at once (the TID written, OWNER_DIED kept); else
 * FUTEX_WAITERS is set and the caller blocks until an unlock hands it the lock. LOCK_PI's timeout is absolute on
 * CLOCK_REALTIME, LOCK_PI2's on CLOCK_MONOTONIC unless FUTEX_CLOCK_REALTIME.</li>
 * <li>FUTEX_TRYLOCK_PI: the same without blocking: EAGAIN (EWOULDBLOCK).</li>
 * <li>FUTEX_UNLOCK_PI: by the owner only (else EPERM); the oldest waiter becomes the owner, its TID written with
 * FUTEX_WAITERS (Linux always sets it on a handover, so the next unlock comes back to the kernel), and it returns
 * 0 from its lock call; with no waiter the word becomes 0.</li>
 * </ul>
 * EDEADLK when the caller owns the word already; ESRCH when the word names a TID no live thread has. The requeue
 * operations (FUTEX_WAIT_REQUEUE_PI, FUTEX_CMP_REQUEUE_PI) stay ENOSYS: glibc's condition variables since 2.25 and
 * musl's never use them, whatever the mutex.
 */
final class PiFutexCalls {
	private PiFutexCalls() {
	}

	/** LOCK_PI ({@code realtime} clock forced), LOCK_PI2 or TRYLOCK_PI ({@code tryOnly}). */
	static long lock(LinuxProcess p, GuestThread t, long uaddr, long timeout, int clock, boolean tryOnly) {
		if ((uaddr & 3) != 0) {
			return -Errno.EINVAL;
		}
		long deadline = GuestThread.NO_DEADLINE;
		if (timeout != 0 && !tryOnly) {
			long ns = TimeCalls.readTimespec(p.memory(), timeout);
			if (ns < 0) {
				return -Errno.EINVAL;
			}
			deadline = TimeCalls.monotonicDeadline(p, clock, ns);
		}
		int value = p.memory().readU32(uaddr);
		int owner = value & FUTEX_TID_MASK;
		if (owner == t.tid()) {
			return -Errno.EDEADLK;
		}
		if (owner == 0) {
			p.memory().writeU32(uaddr, (value & FUTEX_OWNER_DIED) | t.tid()
					| (p.scheduler().futexWaiters(uaddr).isEmpty() ? 0 : FUTEX_WAITERS));
			return 0;
		}
		if (p.scheduler().find(owner).isEmpty()) {
			return -Errno.ESRCH;
		}
		if (tryOnly) {
			return -Errno.EAGAIN;
		}
		if (deadline != GuestThread.NO_DEADLINE && deadline <= p.scheduler().monotonicNow()) {
			return -Errno.ETIMEDOUT;
		}
		p.memory().writeU32(uaddr, value | FUTEX_WAITERS);
		p.scheduler().waitOnFutex(t, uaddr, FutexCalls.FUTEX_BITSET_MATCH_ANY, deadline, -Errno.ETIMEDOUT);
		return 0;
	}

	static int lockClock(int cmd, boolean realtime) {
		return cmd == FutexCalls.FUTEX_LOCK_PI || realtime ? ClockRead.CLOCK_REALTIME : ClockRead.CLOCK_MONOTONIC;
	}

	static long unlock(LinuxProcess p, GuestThread t, long uaddr) {
		if ((uaddr & 3) != 0) {
			return -Errno.EINVAL;
		}
		int value = p.memory().readU32(uaddr);
		if ((value & FUTEX_TID_MASK) != t.tid()) {
			return -Errno.EPERM;
		}
		handOver(p.memory(), p.scheduler(), uaddr, 0);
		return 0;
	}

	/**
	 * Gives the word at {@code uaddr} to its oldest waiter (its TID | FUTEX_WAITERS | {@code keep}), which wakes with
	 * 0, or frees it ({@code keep} only) when nobody waits. Also used when a robust PI owner died
	 * ({@code keep} = FUTEX_OWNER_DIED).
	 */
	static void handOver(AddressSpace memory, Scheduler scheduler, long uaddr, int keep) {
		List<GuestThread> next = scheduler.futexWaiters(uaddr);
		if (next.isEmpty()) {
			memory.writeU32(uaddr, keep);
			return;
		}
		memory.writeU32(uaddr, next.get(0).tid() | FUTEX_WAITERS | keep);
		scheduler.wakeFutex(uaddr, 1, FutexCalls.FUTEX_BITSET_MATCH_ANY);
	}
}
