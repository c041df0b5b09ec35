package org.insight.vmm.linux;

import static org.insight.vmm.linux.LinuxFixture.UNMAPPED;
import static org.insight.vmm.linux.RobustList.FUTEX_OWNER_DIED;
import static org.insight.vmm.linux.RobustList.FUTEX_WAITERS;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.insight.kvm.Regs;
import org.insight.vmm.sched.GuestThread;
import org.insight.vmm.sched.ThreadState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The robust-list walk at thread exit, over lists built in guest memory the way glibc lays out a robust mutex: the
 * list links sit at some offset from the futex word (futex_offset is negative or positive).
 */
class RobustListTest {
	/** The futex word lies this far from the list entry (glibc: __lock is before __list). */
	private static final long OFFSET = -32;
	private final LinuxFixture f = new LinuxFixture();
	private final long head = f.alloc(24);

	@AfterEach
	void close() {
		f.close();
	}

	/** A "mutex": 64 bytes, entry at +32, word at +0; returns the entry address. */
	private long mutex(int word) {
		long m = f.alloc(64);
		f.space.writeU32(m, word);
		return m - OFFSET;
	}

	private void list(long pending, long... entries) {
		f.space.writeU64(head + 8, OFFSET);
		f.space.writeU64(head + 16, pending);
		long prev = head;
		for (long e : entries) {
			f.space.writeU64(prev, e);
			prev = e & ~1L;
		}
		f.space.writeU64(prev, head);
	}

	private int word(long entry) {
		return f.space.readU32((entry & ~1L) + OFFSET);
	}

	private GuestThread thread() {
		return f.scheduler.spawn(new Regs(), null, 0);
	}

	private GuestThread waiterOn(long entry) {
		GuestThread w = thread();
		long uaddr = entry + OFFSET;
		int v = f.space.readU32(uaddr);
		assertEquals(0, f.callAs(w, Syscalls.FUTEX, uaddr, FutexCalls.FUTEX_WAIT, v, 0));
		assertEquals(ThreadState.FUTEX_WAIT, w.state());
		return w;
	}

	@Test
	void heldWordsBecomeOwnerDiedAndOneWaiterWakes() {
		GuestThread owner = thread();
		int tid = owner.tid();
		long a = mutex(tid);
		long b = mutex(tid | FUTEX_WAITERS);
		long c = mutex(4242);
		list(0, a, b, c);
		GuestThread w1 = waiterOn(b);
		GuestThread w2 = waiterOn(b);
		assertEquals(0, f.callAs(owner, Syscalls.SET_ROBUST_LIST, head, 24));
		assertEquals(0, f.callAs(owner, Syscalls.EXIT, 0));
		assertEquals(FUTEX_OWNER_DIED, word(a));
		assertEquals(FUTEX_OWNER_DIED | FUTEX_WAITERS, word(b), "FUTEX_WAITERS is kept");
		assertEquals(4242, word(c), "another thread's word is left alone");
		assertEquals(ThreadState.RUNNABLE, w1.state(), "one waiter woken");
		assertEquals(ThreadState.FUTEX_WAIT, w2.state());
	}

	@Test
	void thePendingEntryIsHandledOnceAndAZeroPendingWordStillWakes() {
		int tid = 77;
		long a = mutex(tid);
		long p = mutex(tid);
		list(p, a, p);
		RobustList.walk(f.space, f.scheduler, head, tid);
		assertEquals(FUTEX_OWNER_DIED, word(a));
		assertEquals(FUTEX_OWNER_DIED, word(p));
		long z = mutex(0);
		list(z);
		GuestThread w = waiterOn(z);
		RobustList.walk(f.space, f.scheduler, head, tid);
		assertEquals(0, word(z), "a free pending word is not marked");
		assertEquals(ThreadState.RUNNABLE, w.state(), "but its waiter is woken");
	}

	@Test
	void aCycleStopsAtTheLimit() {
		int tid = 5;
		long a = mutex(tid);
		long b = mutex(tid);
		long x = mutex(tid);
		list(x, a, b);
		f.space.writeU64(b, a); // b -> a -> b -> ... never back to the head
		RobustList.walk(f.space, f.scheduler, head, tid);
		assertEquals(FUTEX_OWNER_DIED, word(a));
		assertEquals(FUTEX_OWNER_DIED, word(x), "the pending entry is still handled after the bounded walk");
	}

	@Test
	void aBadPointerStopsTheWalkSilently() {
		int tid = 9;
		long a = mutex(tid);
		long b = mutex(tid);
		list(0, a, b);
		f.space.writeU64(a, UNMAPPED); // a -> an unmapped entry (b is unreachable)
		RobustList.walk(f.space, f.scheduler, head, tid);
		assertEquals(FUTEX_OWNER_DIED, word(a));
		assertEquals(tid, word(b), "nothing after the bad entry");
		// A misaligned word stops the walk too.
		long c = mutex(tid);
		long d = mutex(tid);
		f.space.writeU64(head + 8, OFFSET + 2);
		f.space.writeU64(head, c);
		f.space.writeU64(c, d);
		f.space.writeU64(d, head);
		RobustList.walk(f.space, f.scheduler, head, tid);
		assertEquals(tid, word(c));
		assertEquals(tid, word(d));
		RobustList.walk(f.space, f.scheduler, UNMAPPED, tid); // an unmapped head: nothing, no exception
	}

	@Test
	void aPiEntryIsMarkedButNotWokenHere() {
		int tid = 11;
		long a = mutex(tid | FUTEX_WAITERS);
		list(0, a | 1);
		RobustList.walk(f.space, f.scheduler, head, tid);
		assertEquals(FUTEX_OWNER_DIED | FUTEX_WAITERS, word(a));
	}

	@Test
	void getRobustListAnswersTheRegisteredHeadOfTheCallerOrAThreadOfTheProcess() {
		long out = f.alloc(16);
		assertEquals(0, f.call(Syscalls.GET_ROBUST_LIST, 0, out, out + 8), "musl asks this before robust mutexes");
		assertEquals(0, f.space.readU64(out), "nothing registered yet");
		assertEquals(ThreadCalls.ROBUST_LIST_HEAD_SIZE, f.space.readU64(out + 8));
		assertEquals(0, f.call(Syscalls.SET_ROBUST_LIST, head, 24));
		assertEquals(0, f.call(Syscalls.GET_ROBUST_LIST, 0, out, out + 8));
		assertEquals(head, f.space.readU64(out));
		GuestThread other = thread();
		other.robustListHead(0x1234_5000L);
		assertEquals(0, f.call(Syscalls.GET_ROBUST_LIST, other.tid(), out, out + 8));
		assertEquals(0x1234_5000L, f.space.readU64(out));
		assertEquals(-Errno.ESRCH, f.call(Syscalls.GET_ROBUST_LIST, 99_999, out, out + 8));
		assertEquals(-Errno.ESRCH, f.call(Syscalls.GET_ROBUST_LIST, -1, out, out + 8));
		assertEquals(-Errno.EFAULT, f.call(Syscalls.GET_ROBUST_LIST, 0, UNMAPPED, out + 8));
		assertEquals(-Errno.EFAULT, f.call(Syscalls.GET_ROBUST_LIST, 0, out, UNMAPPED));
	}
}
