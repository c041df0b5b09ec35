package org.insight.vmm.linux;

import static org.insight.vmm.linux.FutexCalls.FUTEX_LOCK_PI;
import static org.insight.vmm.linux.FutexCalls.FUTEX_LOCK_PI2;
import static org.insight.vmm.linux.FutexCalls.FUTEX_PRIVATE_FLAG;
import static org.insight.vmm.linux.FutexCalls.FUTEX_TRYLOCK_PI;
import static org.insight.vmm.linux.FutexCalls.FUTEX_UNLOCK_PI;
import static org.insight.vmm.linux.RobustList.FUTEX_OWNER_DIED;
import static org.insight.vmm.linux.RobustList.FUTEX_WAITERS;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.insight.kvm.Regs;
import org.insight.vmm.sched.GuestThread;
import org.insight.vmm.sched.ThreadState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PiFutexCallsTest {
	private static final int PRIVATE = FUTEX_PRIVATE_FLAG;
	private final LinuxFixture f = new LinuxFixture();
	private final long word = f.alloc(4);

	@AfterEach
	void close() {
		f.close();
	}

	private GuestThread thread() {
		return f.scheduler.spawn(new Regs(), null, 0);
	}

	private long op(GuestThread t, int op) {
		return f.callAs(t, Syscalls.FUTEX, word, op | PRIVATE, 0, 0, 0, 0);
	}

	@Test
	void aFreeWordIsTakenAndAHeldOneQueuesItsWaitersInOrder() {
		GuestThread a = thread(), b = thread(), c = thread();
		assertEquals(0, op(a, FUTEX_LOCK_PI));
		assertEquals(a.tid(), f.space.readU32(word));
		assertEquals(-Errno.EDEADLK, op(a, FUTEX_LOCK_PI));
		assertEquals(-Errno.EDEADLK, op(a, FUTEX_TRYLOCK_PI));
		assertEquals(-Errno.EAGAIN, op(b, FUTEX_TRYLOCK_PI), "trylock on a held word");
		assertEquals(a.tid(), f.space.readU32(word), "a failed trylock leaves the word alone");
		assertEquals(0, op(b, FUTEX_LOCK_PI));
		assertEquals(ThreadState.FUTEX_WAIT, b.state());
		assertEquals(a.tid() | FUTEX_WAITERS, f.space.readU32(word));
		assertEquals(0, op(c, FUTEX_LOCK_PI2));
		assertEquals(List.of(b, c), f.scheduler.futexWaiters(word));
		assertEquals(-Errno.EPERM, op(c, FUTEX_UNLOCK_PI), "only the owner unlocks");
		b.regs().rax = 99;
		assertEquals(0, op(a, FUTEX_UNLOCK_PI));
		assertEquals(ThreadState.RUNNABLE, b.state());
		assertEquals(0, b.regs().rax, "b's lock call returns 0: it owns the lock");
		assertEquals(b.tid() | FUTEX_WAITERS, f.space.readU32(word));
		assertEquals(0, op(b, FUTEX_UNLOCK_PI));
		assertEquals(c.tid() | FUTEX_WAITERS, f.space.readU32(word), "Linux sets FUTEX_WAITERS on every handover");
		assertEquals(0, op(c, FUTEX_UNLOCK_PI));
		assertEquals(0, f.space.readU32(word), "nobody waits: free");
	}

	@Test
	void badOwnersAndWords() {
		f.space.writeU32(word, 4242);
		assertEquals(-Errno.ESRCH, op(f.main(), FUTEX_LOCK_PI), "no thread 4242");
		assertEquals(-Errno.EPERM, op(f.main(), FUTEX_UNLOCK_PI));
		f.space.writeU32(word, FUTEX_OWNER_DIED);
		assertEquals(0, op(f.main(), FUTEX_TRYLOCK_PI), "an owner-died word without owner is free");
		assertEquals(FUTEX_OWNER_DIED | f.main().tid(), f.space.readU32(word), "OWNER_DIED is kept for the libc");
		assertEquals(-Errno.EINVAL, f.callAs(f.main(), Syscalls.FUTEX, word + 2, FUTEX_LOCK_PI, 0, 0, 0, 0));
		assertEquals(-Errno.EFAULT, f.callAs(f.main(), Syscalls.FUTEX, LinuxFixture.UNMAPPED, FUTEX_LOCK_PI, 0, 0));
	}

	@Test
	void anExpiredTimeoutGivesEtimedoutAfterTheTry() {
		GuestThread a = thread();
		assertEquals(0, op(a, FUTEX_LOCK_PI));
		long ts = f.alloc(16); // monotonic 0: long past
		assertEquals(-Errno.ETIMEDOUT, f.callAs(f.main(), Syscalls.FUTEX, word, FUTEX_LOCK_PI2, 0, ts, 0, 0));
		assertEquals(ThreadState.RUNNABLE, f.main().state());
	}

	@Test
	void aRobustPiOwnersDeathHandsTheLockToItsOldestWaiter() {
		GuestThread owner = thread(), w = thread();
		assertEquals(0, op(owner, FUTEX_LOCK_PI));
		assertEquals(0, op(w, FUTEX_LOCK_PI));
		long head = f.alloc(24);
		long entry = f.alloc(8);
		f.space.writeU64(head, entry | 1);
		f.space.writeU64(head + 8, word - entry);
		f.space.writeU64(entry, head);
		assertEquals(0, f.callAs(owner, Syscalls.SET_ROBUST_LIST, head, 24));
		assertEquals(0, f.callAs(owner, Syscalls.EXIT, 0));
		assertEquals(ThreadState.RUNNABLE, w.state());
		assertEquals(w.tid() | FUTEX_WAITERS | FUTEX_OWNER_DIED, f.space.readU32(word));
	}
}
