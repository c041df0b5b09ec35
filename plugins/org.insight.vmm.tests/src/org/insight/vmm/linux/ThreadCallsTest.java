package org.insight.vmm.linux;

import static org.insight.vmm.linux.LinuxFixture.UNMAPPED;
import static org.insight.vmm.linux.ThreadCalls.CLONE_CHILD_CLEARTID;
import static org.insight.vmm.linux.ThreadCalls.CLONE_CHILD_SETTID;
import static org.insight.vmm.linux.ThreadCalls.CLONE_DETACHED;
import static org.insight.vmm.linux.ThreadCalls.CLONE_FILES;
import static org.insight.vmm.linux.ThreadCalls.CLONE_FS;
import static org.insight.vmm.linux.ThreadCalls.CLONE_PARENT_SETTID;
import static org.insight.vmm.linux.ThreadCalls.CLONE_SETTLS;
import static org.insight.vmm.linux.ThreadCalls.CLONE_SIGHAND;
import static org.insight.vmm.linux.ThreadCalls.CLONE_SYSVSEM;
import static org.insight.vmm.linux.ThreadCalls.CLONE_THREAD;
import static org.insight.vmm.linux.ThreadCalls.CLONE_VM;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.insight.vmm.sched.GuestThread;
import org.insight.vmm.sched.ThreadState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ThreadCallsTest {
	/** What glibc 2.36's pthread_create passes to clone. */
	static final long GLIBC = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM
			| CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
	/** What musl 1.2's pthread_create passes. */
	static final long MUSL = GLIBC | CLONE_DETACHED;

	private final LinuxFixture f = new LinuxFixture(4);

	@AfterEach
	void close() {
		f.close();
	}

	private long cloneThread(long flags, long stack, long ptid, long ctid, long tls) {
		return f.call(Syscalls.CLONE, flags, stack, ptid, ctid, tls);
	}

	@Test
	void cloneMakesAThreadThatStartsLikeItsParent() {
		GuestThread parent = f.main();
		parent.regs().rip = 0x401234;
		parent.regs().rbx = 77;
		parent.fsBase(0x4c0000);
		parent.signalMask(0x4);
		long ptid = f.alloc(4);
		long ctid = f.alloc(4);
		long tid = cloneThread(MUSL, 0x7000_1000L, ptid, ctid, 0x7000_2000L);
		assertEquals(1001, tid);
		GuestThread child = f.scheduler.find(1001).orElseThrow();
		assertEquals(ThreadState.RUNNABLE, child.state());
		assertEquals(0, child.regs().rax, "the child sees 0");
		assertEquals(0x7000_1000L, child.regs().rsp);
		assertEquals(0x401234, child.regs().rip);
		assertEquals(77, child.regs().rbx);
		assertEquals(0x7000_2000L, child.fsBase(), "CLONE_SETTLS");
		assertEquals(0x4, child.signalMask());
		assertArrayEquals(new byte[] { 1, 2, 3, 4 }, child.xsave(), "the parent's FPU state");
		assertEquals(1001, f.space.readU32(ptid));
		assertEquals(ctid, child.clearChildTid());
		assertEquals(0, f.space.readU32(ctid), "no CLONE_CHILD_SETTID");
		assertEquals(0x4c0000, parent.fsBase());
	}

	@Test
	void withoutSettlsAndStackTheChildSharesThem() {
		f.main().fsBase(0x4c0000);
		f.main().regs().rsp = 0x7fff_0000L;
		long ctid = f.alloc(4);
		assertEquals(1001, cloneThread(CLONE_VM | CLONE_SIGHAND | CLONE_THREAD | CLONE_CHILD_SETTID, 0, 0, ctid, 0));
		GuestThread child = f.scheduler.find(1001).orElseThrow();
		assertEquals(0x4c0000, child.fsBase());
		assertEquals(0x7fff_0000L, child.regs().rsp);
		assertEquals(1001, f.space.readU32(ctid));
	}

	@Test
	void processesAndOddFlagsAreRefused() {
		assertEquals(-Errno.ENOSYS, cloneThread(17, 0, 0, 0, 0), "fork: CLONE_CHILD_SETTID|SIGCHLD");
		assertEquals(-Errno.ENOSYS, cloneThread(CLONE_VM | 0x4000 | 17, 0, 0, 0, 0), "vfork");
		assertEquals(-Errno.EINVAL, cloneThread(CLONE_VM | CLONE_THREAD, 0, 0, 0, 0), "THREAD needs SIGHAND");
		assertEquals(-Errno.EINVAL, cloneThread(CLONE_SIGHAND | CLONE_THREAD, 0, 0, 0, 0), "SIGHAND needs VM");
		assertEquals(-Errno.EINVAL, cloneThread(GLIBC | 0x2000_0000L, 0, f.alloc(4), 0, 0), "CLONE_NEWPID");
		assertEquals(-Errno.EINVAL, cloneThread(GLIBC | 0x1000, 0, f.alloc(4), 0, 0), "CLONE_PIDFD");
		assertEquals(-Errno.EPERM, cloneThread(GLIBC, 0, f.alloc(4), 0, 0x8000_0000_0000L), "non-canonical TLS");
		assertEquals(-Errno.ENOSYS, f.call(Syscalls.CLONE3, f.alloc(88), 88), "glibc falls back to clone");
		assertEquals(-Errno.ENOSYS, f.call(Syscalls.FORK));
		assertEquals(1, f.scheduler.liveCount(), "no thread was made");
		assertTrue(f.process.notes().stream().anyMatch(n -> n.contains("without CLONE_THREAD")));
	}

	@Test
	void badTidPointersFailBeforeAnyThreadExists() {
		assertEquals(-Errno.EFAULT, cloneThread(GLIBC, 0x7000_0000L, UNMAPPED, 0, 0));
		assertEquals(-Errno.EFAULT, cloneThread(CLONE_VM | CLONE_SIGHAND | CLONE_THREAD | CLONE_CHILD_SETTID,
				0x7000_0000L, 0, UNMAPPED, 0));
		assertEquals(1, f.scheduler.liveCount());
		assertEquals(1001, cloneThread(GLIBC, 0x7000_0000L, f.alloc(4), 0, 0), "tids are not used up by failures");
	}

	@Test
	void theThreadLimitGivesEagain() {
		for (int i = 1; i < 4; i++) {
			assertEquals(1000 + i, cloneThread(GLIBC, 0x7000_0000L, f.alloc(4), 0, 0));
		}
		assertEquals(-Errno.EAGAIN, cloneThread(GLIBC, 0x7000_0000L, f.alloc(4), 0, 0));
		assertTrue(f.process.notes().stream().anyMatch(n -> n.contains("thread limit of 4")));
		f.callAs(f.scheduler.find(1003).orElseThrow(), Syscalls.EXIT, 0);
		assertEquals(1004, cloneThread(GLIBC, 0x7000_0000L, f.alloc(4), 0, 0), "room again after an exit");
	}

	@Test
	void exitClearsAndWakesTheTidWordSoJoinReturns() {
		long ctid = f.alloc(4);
		cloneThread(GLIBC, 0x7000_0000L, ctid, ctid, 0);
		assertEquals(1001, f.space.readU32(ctid));
		GuestThread child = f.scheduler.find(1001).orElseThrow();
		// The parent joins: futex wait on the tid word while it holds the child's tid.
		assertEquals(0, f.call(Syscalls.FUTEX, ctid, FutexCalls.FUTEX_WAIT, 1001, 0));
		assertEquals(ThreadState.FUTEX_WAIT, f.main().state());
		assertEquals(0, f.callAs(child, Syscalls.EXIT, 5));
		assertEquals(ThreadState.DEAD, child.state());
		assertEquals(0, f.space.readU32(ctid));
		assertEquals(ThreadState.RUNNABLE, f.main().state(), "the joiner was woken");
		assertFalse(f.process.isTerminated(), "the main thread lives on");
	}

	@Test
	void whenTheLastThreadExitsTheProcessEndsWithTheFirstThreadsCode() {
		cloneThread(GLIBC, 0x7000_0000L, f.alloc(4), 0, 0);
		f.call(Syscalls.EXIT, 7);
		assertFalse(f.process.isTerminated());
		f.callAs(f.scheduler.find(1001).orElseThrow(), Syscalls.EXIT, 9);
		assertEquals(7, f.process.termination().orElseThrow().status());
	}

	@Test
	void anUnwritableTidWordDoesNotStopTheExit() {
		f.call(Syscalls.SET_TID_ADDRESS, UNMAPPED);
		f.call(Syscalls.EXIT, 0);
		assertEquals(0, f.process.termination().orElseThrow().status());
		assertTrue(f.process.notes().get(0).contains("clear_child_tid"), f.process.notes().toString());
	}

	@Test
	void threadAttributes() {
		long word = f.alloc(8);
		assertEquals(1000, f.call(Syscalls.SET_TID_ADDRESS, word));
		assertEquals(word, f.main().clearChildTid());
		assertEquals(0, f.call(Syscalls.SET_ROBUST_LIST, word, 24));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.SET_ROBUST_LIST, word, 16));
		assertEquals(-Errno.ENOSYS, f.call(Syscalls.RSEQ, word, 32, 0, 0));
		assertEquals(0, f.call(Syscalls.ARCH_PRCTL, ThreadCalls.ARCH_SET_FS, 0x4d0000));
		assertEquals(0x4d0000, f.main().fsBase());
		assertEquals(0, f.call(Syscalls.ARCH_PRCTL, ThreadCalls.ARCH_GET_FS, word));
		assertEquals(0x4d0000, f.space.readU64(word));
		assertEquals(-Errno.EPERM, f.call(Syscalls.ARCH_PRCTL, ThreadCalls.ARCH_SET_FS, 0xffff_8000_0000_0000L));
		assertEquals(-Errno.EFAULT, f.call(Syscalls.ARCH_PRCTL, ThreadCalls.ARCH_GET_FS, UNMAPPED));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.ARCH_PRCTL, 0x3001, word));
		assertEquals(0, f.call(Syscalls.SCHED_YIELD));
	}
}
