package org.insight.vmm.linux;

import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.memory.GuestFault;
import org.insight.vmm.sched.GuestThread;
import org.insight.vmm.sched.Scheduler;

/**
 * The robust-futex walk Linux does when a thread exits (kernel/futex/core.c, exit_robust_list and
 * handle_futex_death): for every futex word on the thread's robust list (and the one in {@code list_op_pending})
 * whose owner TID is the exiting thread, the word becomes {@code FUTEX_OWNER_DIED} (keeping
 * {@code FUTEX_WAITERS}) and one waiter is woken (a PI word's waiter gets the lock afterwards, from
 * {@link PiFutexCalls#exit}); glibc's and musl's robust mutexes then answer EOWNERDEAD. The walk
 * reads only guest memory, so it is a function of guest state. A bad list (a fault, a misaligned word) stops it
 * silently as in Linux; a cyclic list stops after {@link #ROBUST_LIST_LIMIT} entries.
 * <p>
 * Layout (x86-64): {@code struct robust_list_head { struct robust_list *next; long futex_offset;
 * struct robust_list *list_op_pending; }}; bit 0 of an entry pointer marks a PI futex.
 */
final class RobustList {
	static final int FUTEX_WAITERS = 0x8000_0000, FUTEX_OWNER_DIED = 0x4000_0000, FUTEX_TID_MASK = 0x3fff_ffff;
	/** Linux's bound on the entries walked, against circular lists. */
	static final int ROBUST_LIST_LIMIT = 2048;

	private RobustList() {
	}

	/** Walks {@code t}'s robust list, if it registered one, as Linux does at the thread's exit. */
	static void exit(AddressSpace memory, Scheduler scheduler, GuestThread t) {
		long head = t.robustListHead();
		if (head != 0) {
			walk(memory, scheduler, head, t.tid());
		}
	}

	/** The walk of exit_robust_list over the list at {@code head} for the thread {@code tid}. */
	static void walk(AddressSpace memory, Scheduler scheduler, long head, int tid) {
		long entry, futexOffset, pending;
		try {
			entry = memory.readU64(head);
			futexOffset = memory.readU64(head + 8);
			pending = memory.readU64(head + 16);
		} catch (GuestFault f) {
			return;
		}
		boolean pi = (entry & 1) != 0;
		entry &= ~1L;
		boolean pendingPi = (pending & 1) != 0;
		pending &= ~1L;
		int limit = ROBUST_LIST_LIMIT;
		while (entry != head) {
			long next = 0;
			boolean fault = false;
			try {
				next = memory.readU64(entry);
			} catch (GuestFault f) {
				fault = true;
			}
			if (entry != pending && !death(memory, scheduler, entry + futexOffset, tid, pi, false)) {
				return;
			}
			if (fault) {
				return;
			}
			pi = (next & 1) != 0;
			entry = next & ~1L;
			if (--limit == 0) {
				break;
			}
		}
		if (pending != 0) {
			death(memory, scheduler, pending + futexOffset, tid, pendingPi, true);
		}
	}

	/**
	 * handle_futex_death: false when the walk must stop (a misaligned or unreadable word). A pending non-PI word
	 * that is 0 gets a wake (the owner died between releasing it and leaving list_op_pending).
	 */
	static boolean death(AddressSpace memory, Scheduler scheduler, long uaddr, int tid, boolean pi,
			boolean pendingOp) {
		if ((uaddr & 3) != 0) {
			return false;
		}
		int value;
		try {
			value = memory.readU32(uaddr);
			if (pendingOp && !pi && value == 0) {
				scheduler.wakeFutex(uaddr, 1, FutexCalls.FUTEX_BITSET_MATCH_ANY);
				return true;
			}
			if ((value & FUTEX_TID_MASK) != tid) {
				return true;
			}
			memory.writeU32(uaddr, (value & FUTEX_WAITERS) | FUTEX_OWNER_DIED);
		} catch (GuestFault f) {
			return false;
		}
		if (!pi && (value & FUTEX_WAITERS) != 0) {
			scheduler.wakeFutex(uaddr, 1, FutexCalls.FUTEX_BITSET_MATCH_ANY);
		}
		return true;
	}
}
