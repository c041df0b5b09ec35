package org.insight.vmm.linux;

import static org.insight.vmm.linux.FutexCalls.FUTEX_CLOCK_REALTIME;
import static org.insight.vmm.linux.FutexCalls.FUTEX_CMP_REQUEUE;
import static org.insight.vmm.linux.FutexCalls.FUTEX_LOCK_PI;
import static org.insight.vmm.linux.FutexCalls.FUTEX_LOCK_PI2;
import static org.insight.vmm.linux.FutexCalls.FUTEX_PRIVATE_FLAG;
import static org.insight.vmm.linux.FutexCalls.FUTEX_TRYLOCK_PI;
import static org.insight.vmm.linux.FutexCalls.FUTEX_UNLOCK_PI;
import static org.insight.vmm.linux.FutexCalls.FUTEX_WAIT;
import static org.insight.vmm.linux.FutexCalls.FUTEX_WAKE;
import static org.insight.vmm.linux.FutexCalls.FUTEX_WAKE_OP;
import static org.insight.vmm.linux.RobustList.FUTEX_OWNER_DIED;
import static org.insight.vmm.linux.RobustList.FUTEX_WAITERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

	private long timed(GuestThread t, int op, long timespec) {
		return f.callAs(t, Syscalls.FUTEX, word, op | PRIVATE, 0, timespec, 0, 0);
	}

	/** {@code t} blocks in FUTEX_LOCK_PI on the word; its rax is poisoned to see what the wake returns. */
	private GuestThread blocked(GuestThread t) {
		assertEquals(0, op(t, FUTEX_LOCK_PI));
		assertEquals(ThreadState.FUTEX_WAIT, t.state());
		t.regs().rax = 99;
		return t;
	}

	/** Registers a robust list for {@code t} whose one entry is the word, marked PI. */
	private void robust(GuestThread t) {
		long head = f.alloc(24);
		long entry = f.alloc(8);
		f.space.writeU64(head, entry | 1);
		f.space.writeU64(head + 8, word - entry);
		f.space.writeU64(entry, head);
		assertEquals(0, f.callAs(t, Syscalls.SET_ROBUST_LIST, head, 24));
	}

	@Test
	void aFreeWordIsTakenAndUnlocksHandTheLockToTheWaitersInOrder() {
		GuestThread a = thread(), b = thread(), c = thread();
		assertEquals(0, op(a, FUTEX_LOCK_PI));
		assertEquals(a.tid(), f.space.readU32(word), "the owner's TID, no waiters bit");
		assertEquals(-Errno.EDEADLK, op(a, FUTEX_LOCK_PI));
		assertEquals(-Errno.EDEADLK, op(a, FUTEX_TRYLOCK_PI));
		blocked(b);
		assertEquals(a.tid() | FUTEX_WAITERS, f.space.readU32(word));
		assertEquals(0, op(c, FUTEX_LOCK_PI2));
		c.regs().rax = 99;
		assertEquals(List.of(b, c), f.scheduler.futexWaiters(word));
		assertEquals(-Errno.EPERM, op(f.main(), FUTEX_UNLOCK_PI), "only the owner unlocks");
		assertEquals(0, op(a, FUTEX_UNLOCK_PI));
		assertEquals(ThreadState.RUNNABLE, b.state());
		assertEquals(0, b.regs().rax, "b's lock call returns 0: it owns the lock");
		assertEquals(b.tid() | FUTEX_WAITERS, f.space.readU32(word));
		assertEquals(List.of(c), f.scheduler.futexWaiters(word));
		assertEquals(-Errno.EPERM, op(a, FUTEX_UNLOCK_PI), "a owns it no longer");
		assertEquals(0, op(b, FUTEX_UNLOCK_PI));
		assertEquals(c.tid() | FUTEX_WAITERS, f.space.readU32(word), "Linux sets FUTEX_WAITERS on every hand-over");
		assertEquals(0, c.regs().rax);
		assertEquals(0, op(c, FUTEX_UNLOCK_PI));
		assertEquals(0, f.space.readU32(word), "nobody waits: free");
		assertTrue(f.process.piOwners().isEmpty());
	}

	@Test
	void trylockTakesAFreeWordAndOtherwiseAnswersEagainWithTheWaitersBitSet() {
		GuestThread a = thread();
		assertEquals(0, op(a, FUTEX_TRYLOCK_PI));
		assertEquals(a.tid(), f.space.readU32(word));
		assertEquals(-Errno.EAGAIN, op(f.main(), FUTEX_TRYLOCK_PI));
		assertEquals(ThreadState.RUNNABLE, f.main().state());
		assertEquals(a.tid() | FUTEX_WAITERS, f.space.readU32(word), "as Linux: the owner's unlock comes to us");
		assertEquals(0, op(a, FUTEX_UNLOCK_PI));
		assertEquals(0, f.space.readU32(word));
	}

	@Test
	void ownersThatDoNotExistAndBadWords() {
		f.space.writeU32(word, 4242);
		assertEquals(-Errno.ESRCH, op(f.main(), FUTEX_LOCK_PI), "no thread 4242");
		assertEquals(4242 | FUTEX_WAITERS, f.space.readU32(word), "set before the owner is looked up, as Linux");
		assertEquals(-Errno.ESRCH, op(f.main(), FUTEX_TRYLOCK_PI));
		assertEquals(ThreadState.RUNNABLE, f.main().state());
		f.space.writeU32(word, 4242 | FUTEX_OWNER_DIED);
		assertEquals(-Errno.ESRCH, op(f.main(), FUTEX_LOCK_PI), "a dead TID even with OWNER_DIED");
		assertEquals(-Errno.EPERM, op(f.main(), FUTEX_UNLOCK_PI));
		f.space.writeU32(word, 0);
		assertEquals(-Errno.EPERM, op(f.main(), FUTEX_UNLOCK_PI), "glibc's probe for PI support");
		f.space.writeU32(word, FUTEX_OWNER_DIED | FUTEX_WAITERS);
		assertEquals(0, op(f.main(), FUTEX_TRYLOCK_PI), "an owner-died word without owner nor waiters is free");
		assertEquals(FUTEX_OWNER_DIED | f.main().tid(), f.space.readU32(word), "OWNER_DIED is kept for the libc");
		for (int pi : new int[] { FUTEX_LOCK_PI, FUTEX_TRYLOCK_PI, FUTEX_UNLOCK_PI }) {
			assertEquals(-Errno.EINVAL, f.callAs(f.main(), Syscalls.FUTEX, word + 2, pi, 0, 0, 0, 0));
			assertEquals(-Errno.EFAULT, f.callAs(f.main(), Syscalls.FUTEX, LinuxFixture.UNMAPPED, pi, 0, 0, 0, 0));
		}
		assertEquals(-Errno.ENOSYS, f.callAs(f.main(), Syscalls.FUTEX, word, FUTEX_LOCK_PI | FUTEX_CLOCK_REALTIME, 0,
				0, 0, 0), "LOCK_PI's clock is fixed");
	}

	@Test
	void aWordThatDisagreesWithItsWaitersIsEinval() {
		GuestThread a = thread(), b = thread();
		assertEquals(0, op(a, FUTEX_LOCK_PI));
		blocked(b);
		f.space.writeU32(word, f.main().tid() | FUTEX_WAITERS); // user space scribbled over the owner
		assertEquals(-Errno.EINVAL, op(thread(), FUTEX_LOCK_PI));
		assertEquals(-Errno.EINVAL, op(f.main(), FUTEX_UNLOCK_PI), "not the owner the waiters queue behind");
		assertEquals(ThreadState.FUTEX_WAIT, b.state());
		f.space.writeU32(word, a.tid() | FUTEX_WAITERS);
		assertEquals(0, op(a, FUTEX_UNLOCK_PI));
		assertEquals(b.tid() | FUTEX_WAITERS, f.space.readU32(word));
	}

	@Test
	void piAndPlainWaitersDoNotMix() {
		GuestThread a = thread(), b = thread();
		assertEquals(0, op(a, FUTEX_LOCK_PI));
		blocked(b);
		long other = f.alloc(4);
		assertEquals(-Errno.EINVAL, op(f.main(), FUTEX_WAKE), "a wake meets a PI waiter");
		assertEquals(-Errno.EINVAL, f.callAs(f.main(), Syscalls.FUTEX, word, FUTEX_CMP_REQUEUE | PRIVATE, 1, 1, other,
				f.space.readU32(word)));
		assertEquals(-Errno.EINVAL, f.callAs(f.main(), Syscalls.FUTEX, word, FUTEX_WAKE_OP | PRIVATE, 1, 1, other, 0));
		assertEquals(ThreadState.FUTEX_WAIT, b.state(), "still waiting for the lock");
		assertEquals(0, op(a, FUTEX_UNLOCK_PI));
		assertEquals(0, op(b, FUTEX_UNLOCK_PI));
		GuestThread plain = thread();
		f.space.writeU32(word, a.tid());
		assertEquals(0, f.callAs(plain, Syscalls.FUTEX, word, FUTEX_WAIT | PRIVATE, a.tid(), 0, 0, 0));
		assertEquals(-Errno.EINVAL, op(f.main(), FUTEX_LOCK_PI), "a FUTEX_WAIT waiter on the word");
	}

	@Test
	void timeoutsAreAbsoluteOnTheirClockAndCheckedAfterTheTry() {
		f.inputs.monotonic = 1_000_000;
		f.inputs.realtime = 1_000_000_000_000L;
		GuestThread a = thread();
		assertEquals(-Errno.EINVAL, timed(a, FUTEX_LOCK_PI, f.u64s(0, 2_000_000_000L)), "a bad timespec first");
		assertEquals(-Errno.EFAULT, timed(a, FUTEX_LOCK_PI, LinuxFixture.UNMAPPED));
		assertEquals(0, timed(a, FUTEX_LOCK_PI2, f.u64s(0, 10)), "an expired timeout still takes a free word");
		assertEquals(-Errno.EAGAIN, timed(f.main(), FUTEX_TRYLOCK_PI, LinuxFixture.UNMAPPED), "trylock has no timeout");
		assertEquals(-Errno.ETIMEDOUT, timed(f.main(), FUTEX_LOCK_PI2, f.u64s(0, 10)));
		assertEquals(-Errno.ETIMEDOUT, timed(f.main(), FUTEX_LOCK_PI, f.u64s(999, 0)), "realtime: in the past");
		assertEquals(ThreadState.RUNNABLE, f.main().state());
		assertEquals(a.tid() | FUTEX_WAITERS, f.space.readU32(word));

		GuestThread b = thread(), c = thread(), d = thread();
		assertEquals(0, timed(b, FUTEX_LOCK_PI2, f.u64s(0, 1_005_000)));
		assertEquals(1_005_000, b.deadline(), "LOCK_PI2: CLOCK_MONOTONIC");
		assertEquals(0, timed(c, FUTEX_LOCK_PI, f.u64s(1000, 2_000)));
		assertEquals(1_002_000, c.deadline(), "LOCK_PI: CLOCK_REALTIME, converted");
		assertEquals(0, f.callAs(d, Syscalls.FUTEX, word, FUTEX_LOCK_PI2 | FUTEX_CLOCK_REALTIME, 0,
				f.u64s(1000, 3_000), 0, 0));
		assertEquals(1_003_000, d.deadline(), "LOCK_PI2 with FUTEX_CLOCK_REALTIME");
		f.inputs.monotonic = 1_002_500;
		f.scheduler.afterSyscall(Syscalls.GETPID, new long[6]);
		assertEquals(ThreadState.RUNNABLE, c.state());
		assertEquals(-Errno.ETIMEDOUT, c.regs().rax);
		assertEquals(List.of(b, d), f.scheduler.futexWaiters(word));
		assertEquals(0, op(a, FUTEX_UNLOCK_PI));
		assertEquals(b.tid() | FUTEX_WAITERS, f.space.readU32(word));
		assertEquals(0, b.regs().rax);
		f.inputs.monotonic = 1_010_000;
		f.scheduler.afterSyscall(Syscalls.GETPID, new long[6]);
		assertEquals(-Errno.ETIMEDOUT, d.regs().rax);
		assertEquals(0, op(b, FUTEX_UNLOCK_PI));
		assertEquals(0, f.space.readU32(word), "the last waiter timed out: the unlock frees the word");
		assertTrue(f.process.piOwners().isEmpty());
	}

	@Test
	void aRobustOwnersDeathHandsTheLockToItsOldestWaiterWithOwnerDied() {
		GuestThread owner = thread(), w = thread(), x = thread();
		robust(owner);
		assertEquals(0, op(owner, FUTEX_LOCK_PI));
		blocked(w);
		blocked(x);
		assertEquals(0, f.callAs(owner, Syscalls.EXIT, 0));
		assertEquals(ThreadState.RUNNABLE, w.state());
		assertEquals(0, w.regs().rax);
		assertEquals(w.tid() | FUTEX_WAITERS | FUTEX_OWNER_DIED, f.space.readU32(word));
		assertEquals(ThreadState.FUTEX_WAIT, x.state());
		f.space.writeU32(word, w.tid() | FUTEX_WAITERS); // the libc clears OWNER_DIED and answers EOWNERDEAD
		assertEquals(0, op(w, FUTEX_UNLOCK_PI));
		assertEquals(x.tid() | FUTEX_WAITERS, f.space.readU32(word));
		assertEquals(0, x.regs().rax);
	}

	@Test
	void aRobustOwnersDeathWithoutWaitersLeavesAFreeOwnerDiedWord() {
		GuestThread owner = thread();
		robust(owner);
		assertEquals(0, op(owner, FUTEX_LOCK_PI));
		assertEquals(0, f.callAs(owner, Syscalls.EXIT, 0));
		assertEquals(FUTEX_OWNER_DIED, f.space.readU32(word));
		assertEquals(0, op(f.main(), FUTEX_LOCK_PI));
		assertEquals(f.main().tid() | FUTEX_OWNER_DIED, f.space.readU32(word));
	}

	@Test
	void aPlainOwnersDeathStillHandsTheLockOverButALoneDeadOwnerIsEsrch() {
		GuestThread owner = thread(), w = thread();
		assertEquals(0, op(owner, FUTEX_LOCK_PI));
		blocked(w);
		assertEquals(0, f.callAs(owner, Syscalls.EXIT, 0));
		assertEquals(w.tid() | FUTEX_WAITERS, f.space.readU32(word), "exit_pi_state_list; no OWNER_DIED");
		assertEquals(0, w.regs().rax);
		assertEquals(0, f.callAs(w, Syscalls.EXIT, 0));
		assertEquals(-Errno.ESRCH, op(f.main(), FUTEX_LOCK_PI), "no robust list: the dead TID stays");
	}

	@Test
	void anOwnerThatReleasedTheWordInUserSpaceBeforeExitingStillHandsItOver() {
		// musl's pthread_exit walks its robust list itself: the word becomes OWNER_DIED, then a FUTEX_WAKE.
		GuestThread owner = thread(), w = thread(), late = thread();
		assertEquals(0, op(owner, FUTEX_LOCK_PI));
		blocked(w);
		f.space.writeU32(word, FUTEX_OWNER_DIED);
		assertEquals(-Errno.EINVAL, op(owner, FUTEX_WAKE));
		blocked(late);
		assertEquals(FUTEX_OWNER_DIED | FUTEX_WAITERS, f.space.readU32(word));
		assertEquals(0, f.callAs(owner, Syscalls.EXIT, 0));
		assertEquals(w.tid() | FUTEX_WAITERS | FUTEX_OWNER_DIED, f.space.readU32(word));
		assertEquals(0, w.regs().rax);
		assertEquals(List.of(late), f.scheduler.futexWaiters(word));
	}
}
