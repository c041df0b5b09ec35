package org.insight.vmm.linux;

import static org.insight.vmm.linux.RobustList.FUTEX_OWNER_DIED;
import static org.insight.vmm.linux.RobustList.FUTEX_TID_MASK;
import static org.insight.vmm.linux.RobustList.FUTEX_WAITERS;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.insight.vmm.inputs.ClockRead;
import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.memory.GuestFault;
import org.insight.vmm.sched.GuestThread;
import org.insight.vmm.sched.Scheduler;

/**
 * The priority-inheritance futex operations: Linux's ownership protocol (kernel/futex/pi.c) without the priority
 * boost, which means nothing here (one vCPU, the scheduler's own order, one priority for all), so waiters are served
 * first in, first out. The futex word holds the owner's TID, FUTEX_WAITERS when the owner must unlock through the
 * kernel and FUTEX_OWNER_DIED after a robust owner died. The waiters are the futex queue of the word itself, with
 * the bitset {@link #PI_BITSET}, which no wake meets; {@link LinuxProcess#piOwners()} holds, per word with waiters,
 * the owner they queue behind (Linux's pi_state), against which the word is checked.
 * <ul>
 * <li>FUTEX_LOCK_PI / LOCK_PI2: EDEADLK when the caller owns the word. A word without owner and without waiters is
 * taken at once (the caller's TID, OWNER_DIED kept). Otherwise FUTEX_WAITERS is set and the caller blocks until the
 * lock is handed to it, or its absolute timeout passes (ETIMEDOUT): LOCK_PI's is on CLOCK_REALTIME, LOCK_PI2's on
 * CLOCK_MONOTONIC unless FUTEX_CLOCK_REALTIME. The first waiter behind a TID that no live thread has gets ESRCH
 * (FUTEX_WAITERS stays set, as in Linux); a word that disagrees with the owner the waiters queue behind, or whose
 * queue holds plain FUTEX_WAIT waiters, is EINVAL.</li>
 * <li>FUTEX_TRYLOCK_PI: the same without blocking: EAGAIN (EWOULDBLOCK) on a held word.</li>
 * <li>FUTEX_UNLOCK_PI: by the owner only (else EPERM). The oldest waiter becomes the owner: its TID with
 * FUTEX_WAITERS (Linux sets it on every hand-over, so the next unlock comes back here), and its lock call returns
 * 0. Without waiters the word becomes 0.</li>
 * <li>A thread's exit ({@link #exit}, Linux's exit_pi_state_list, after the robust-list walk): each PI word it owns
 * with waiters goes to the oldest one the same way, keeping the FUTEX_OWNER_DIED the robust walk may just have set,
 * which tells a robust mutex's new owner (EOWNERDEAD).</li>
 * </ul>
 * Everything is a function of guest memory and the scheduler's decisions; a timeout is the scheduler's deadline,
 * measured as FUTEX_WAIT's is. FUTEX_WAIT_REQUEUE_PI and FUTEX_CMP_REQUEUE_PI stay ENOSYS: they exist for condition
 * variables over PI mutexes, and neither glibc's (since 2.25) nor musl's condition variables use them.
 */
final class PiFutexCalls {
	/** The bitset of a PI waiter: FUTEX_WAKE_BITSET refuses 0 and every wake's bitset misses it. */
	static final int PI_BITSET = 0;

	private PiFutexCalls() {
	}

	static int lockClock(int cmd, boolean realtime) {
		return cmd == FutexCalls.FUTEX_LOCK_PI || realtime ? ClockRead.CLOCK_REALTIME : ClockRead.CLOCK_MONOTONIC;
	}

	/** Whether a PI waiter waits on {@code uaddr}: FUTEX_WAKE and the requeues answer EINVAL then, as Linux. */
	static boolean piWaited(Scheduler scheduler, long uaddr) {
		for (GuestThread t : scheduler.futexWaiters(uaddr)) {
			if (t.futexBitset() == PI_BITSET) {
				return true;
			}
		}
		return false;
	}

	/** LOCK_PI or LOCK_PI2 (absolute {@code timeout} on {@code clock}, 0: none) or TRYLOCK_PI ({@code tryOnly}). */
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
		AddressSpace memory = p.memory();
		Scheduler scheduler = p.scheduler();
		int value = memory.readU32(uaddr);
		int owner = value & FUTEX_TID_MASK;
		if (owner == t.tid()) {
			return -Errno.EDEADLK;
		}
		List<GuestThread> waiters = scheduler.futexWaiters(uaddr);
		if (!waiters.isEmpty()) {
			// Linux's attach_to_pi_state: queue behind the known owner, if the word still names it.
			if (waiters.get(0).futexBitset() != PI_BITSET || !agrees(value, p.piOwners().get(uaddr))) {
				return -Errno.EINVAL;
			}
			memory.writeU32(uaddr, value | FUTEX_WAITERS);
		} else if (owner == 0) {
			memory.writeU32(uaddr, (value & FUTEX_OWNER_DIED) | t.tid());
			return 0;
		} else {
			// attach_to_pi_owner: the bit is set before the owner is looked up.
			memory.writeU32(uaddr, value | FUTEX_WAITERS);
			if (scheduler.find(owner).isEmpty()) {
				return -Errno.ESRCH;
			}
			p.piOwners().put(uaddr, owner);
		}
		if (tryOnly) {
			return -Errno.EAGAIN;
		}
		if (deadline != GuestThread.NO_DEADLINE && deadline <= scheduler.monotonicNow()) {
			return -Errno.ETIMEDOUT;
		}
		scheduler.waitOnFutex(t, uaddr, PI_BITSET, deadline, -Errno.ETIMEDOUT);
		return 0;
	}

	/**
	 * Whether a word agrees with the owner its waiters queue behind: it names that owner, or no one with
	 * FUTEX_OWNER_DIED (a robust owner is exiting: its exit hands the lock over).
	 */
	private static boolean agrees(int value, Integer owner) {
		int tid = value & FUTEX_TID_MASK;
		if (tid == 0 && (value & FUTEX_OWNER_DIED) != 0) {
			return true;
		}
		return owner != null && tid == owner;
	}

	static long unlock(LinuxProcess p, GuestThread t, long uaddr) {
		if ((uaddr & 3) != 0) {
			return -Errno.EINVAL;
		}
		int value = p.memory().readU32(uaddr);
		if ((value & FUTEX_TID_MASK) != t.tid()) {
			return -Errno.EPERM;
		}
		List<GuestThread> waiters = p.scheduler().futexWaiters(uaddr);
		if (waiters.isEmpty()) {
			p.piOwners().remove(uaddr);
			p.memory().writeU32(uaddr, 0);
			return 0;
		}
		if (waiters.get(0).futexBitset() != PI_BITSET || !Integer.valueOf(t.tid()).equals(p.piOwners().get(uaddr))) {
			return -Errno.EINVAL;
		}
		handOver(p, uaddr, waiters.get(0), 0);
		return 0;
	}

	/**
	 * At the exit of {@code t}, after its robust-list walk: each PI word it owns with waiters goes to the oldest
	 * waiter, FUTEX_OWNER_DIED kept. A word that can no longer be written wakes that waiter with EFAULT.
	 */
	static void exit(LinuxProcess p, GuestThread t) {
		Map<Long, Integer> owners = p.piOwners();
		List<Long> owned = new ArrayList<>();
		owners.forEach((uaddr, owner) -> {
			if (owner == t.tid()) {
				owned.add(uaddr);
			}
		});
		for (long uaddr : owned) {
			List<GuestThread> waiters = p.scheduler().futexWaiters(uaddr);
			if (waiters.isEmpty() || waiters.get(0).futexBitset() != PI_BITSET) {
				owners.remove(uaddr);
				continue;
			}
			try {
				handOver(p, uaddr, waiters.get(0), p.memory().readU32(uaddr) & FUTEX_OWNER_DIED);
			} catch (GuestFault f) {
				owners.remove(uaddr);
				p.scheduler().wakeFutexWaiter(waiters.get(0), -Errno.EFAULT);
			}
		}
	}

	/** {@code next} owns the word now ({@code keep} | its TID | FUTEX_WAITERS) and returns 0 from its lock call. */
	private static void handOver(LinuxProcess p, long uaddr, GuestThread next, int keep) {
		p.memory().writeU32(uaddr, keep | FUTEX_WAITERS | next.tid());
		p.scheduler().wakeFutexWaiter(next, 0);
		if (p.scheduler().futexWaiters(uaddr).isEmpty()) {
			p.piOwners().remove(uaddr);
		} else {
			p.piOwners().put(uaddr, next.tid());
		}
	}
}
