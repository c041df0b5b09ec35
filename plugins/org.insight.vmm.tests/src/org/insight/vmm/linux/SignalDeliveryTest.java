package org.insight.vmm.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.insight.kvm.Regs;
import org.insight.vmm.memory.Mman;
import org.insight.vmm.sched.GuestThread;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Delivery to guest handlers at the return to user mode, faults, and rt_sigreturn, on the personality alone. */
class SignalDeliveryTest {
	private static final long HANDLER = 0x401100, RESTORER = 0x401200;
	private final LinuxFixture f = new LinuxFixture();
	private final long stack = f.space.mmap(0, 1 << 16, Mman.PROT_READ | Mman.PROT_WRITE,
			Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS);
	private final long top = stack + (1 << 16) - 256;

	@AfterEach
	void close() {
		f.close();
	}

	@BeforeEach
	void setUp() {
		byte[] x = new byte[4096];
		SignalFrame.putShort(x, 0, 0x27f); // FCW
		SignalFrame.putInt(x, SignalFrame.MXCSR, 0x9fc0);
		for (int i = 160; i < 416; i++) {
			x[i] = (byte) i; // XMM0..15
		}
		SignalFrame.putLong(x, SignalFrame.XSTATE_BV, 7);
		f.xsave = x;
		Regs r = f.main().regs();
		r.rsp = top;
		r.rip = 0x401050;
		r.rax = -4;
		r.rdi = 11;
		r.rsi = 12;
		r.rdx = 13;
		r.r10 = 14;
		r.rflags = 0x202 | 0x400;
	}

	private static long bit(int sig) {
		return 1L << (sig - 1);
	}

	private void install(int sig, long flags, long mask) {
		long act = f.u64s(HANDLER, flags | SignalFrame.SA_RESTORER, RESTORER, mask);
		assertEquals(0, f.call(Syscalls.RT_SIGACTION, sig, act, 0, 8));
	}

	@Test
	void aSentSignalRunsTheHandlerAndSigreturnPutsEverythingBack() {
		install(Signals.SIGUSR1, SignalFrame.SA_SIGINFO, bit(Signals.SIGUSR2));
		GuestThread t = f.main();
		t.signalMask(bit(Signals.SIGINT));
		Regs before = t.regs().copy();
		byte[] fpBefore = f.xsave.clone();
		assertEquals(0, f.call(Syscalls.KILL, 1000, Signals.SIGUSR1));
		assertTrue(SignalDelivery.beforeUserMode(f.process, t));

		Regs h = t.regs();
		assertEquals(HANDLER, h.rip);
		assertEquals(Signals.SIGUSR1, h.rdi);
		long frame = h.rsp;
		assertEquals(8, frame & 15, "16-byte aligned minus 8, as after a call");
		assertEquals(frame + SignalFrame.SIGINFO, h.rsi);
		assertEquals(frame + SignalFrame.UC, h.rdx);
		assertEquals(0, h.rflags & 0x400, "DF is clear in the handler");
		assertEquals(RESTORER, f.space.readU64(frame));
		assertEquals(Signals.SIGUSR1, f.space.readU32(frame + SignalFrame.SIGINFO));
		assertEquals(LinuxProcess.SI_USER, f.space.readU32(frame + SignalFrame.SIGINFO + 8));
		assertEquals(1000, f.space.readU32(frame + SignalFrame.SIGINFO + 16), "si_pid");
		assertEquals(bit(Signals.SIGINT), f.space.readU64(frame + SignalFrame.UC_SIGMASK));
		assertEquals(bit(Signals.SIGINT) | bit(Signals.SIGUSR1) | bit(Signals.SIGUSR2), t.signalMask());
		assertEquals(0x1f80, SignalFrame.getInt(f.xsave, SignalFrame.MXCSR), "the handler's FPU is clean");
		assertEquals(0, f.xsave[200]);
		assertEquals(0, f.process.pendingSignals());

		// The handler returns: its ret pops pretcode, and the restorer calls rt_sigreturn.
		h.rsp = frame + 8;
		h.rip = RESTORER + 9;
		h.rax = Syscalls.RT_SIGRETURN;
		h.rdi = 99;
		f.xsave[200] = 42;
		assertEquals(-4, f.call(Syscalls.RT_SIGRETURN), "RAX as it was");
		Regs back = t.regs();
		assertEquals(before.rip, back.rip);
		assertEquals(before.rsp, back.rsp);
		assertEquals(before.rdi, back.rdi);
		assertEquals(before.rsi, back.rsi);
		assertEquals(before.rdx, back.rdx);
		assertEquals(before.r10, back.r10);
		assertEquals(0x400, back.rflags & 0x400);
		assertEquals(bit(Signals.SIGINT), t.signalMask());
		assertArrayEquals(java.util.Arrays.copyOf(fpBefore, 512), java.util.Arrays.copyOf(f.xsave, 512));
		assertTrue(f.process.termination().isEmpty());
	}

	@Test
	void aThreadSignalWaitsForThatThreadAndResetHandAndNoDeferApply() {
		install(Signals.SIGUSR2, SignalFrame.SA_RESETHAND | SignalFrame.SA_NODEFER, 0);
		Regs r = f.main().regs().copy();
		GuestThread other = f.scheduler.spawn(r, f.xsave.clone(), 0);
		assertEquals(0, f.call(Syscalls.TGKILL, 1000, other.tid(), Signals.SIGUSR2));
		assertTrue(SignalDelivery.beforeUserMode(f.process, f.main()));
		assertEquals(0x401050, f.main().regs().rip, "not for the main thread");
		assertTrue(SignalDelivery.beforeUserMode(f.process, other));
		assertEquals(HANDLER, other.regs().rip);
		assertEquals(0, other.signalMask(), "SA_NODEFER: the signal is not blocked in its handler");
		assertTrue(f.process.action(Signals.SIGUSR2).isDefault(), "SA_RESETHAND");
		assertEquals(0, f.call(Syscalls.TKILL, other.tid(), Signals.SIGUSR2));
		assertEquals(128 + Signals.SIGUSR2, f.process.termination().orElseThrow().status(), "default action now");
	}

	@Test
	void aBlockedSignalIsPendingForSigpendingAndRunsOnceUnblocked() {
		install(Signals.SIGUSR1, 0, 0);
		long set = f.u64s(bit(Signals.SIGUSR1));
		assertEquals(0, f.call(Syscalls.RT_SIGPROCMASK, SignalCalls.SIG_BLOCK, set, 0, 8));
		assertEquals(0, f.call(Syscalls.TKILL, 1000, Signals.SIGUSR1));
		assertEquals(0, f.call(Syscalls.TKILL, 1000, Signals.SIGUSR1), "a standard signal is not queued twice");
		long pending = f.alloc(8);
		assertEquals(0, f.call(SignalCalls.RT_SIGPENDING, pending, 8));
		assertEquals(bit(Signals.SIGUSR1), f.space.readU64(pending));
		assertEquals(-Errno.EINVAL, f.call(SignalCalls.RT_SIGPENDING, pending, 16));
		assertTrue(SignalDelivery.beforeUserMode(f.process, f.main()));
		assertEquals(0x401050, f.main().regs().rip, "blocked: not delivered");
		assertEquals(0, f.call(Syscalls.RT_SIGPROCMASK, SignalCalls.SIG_UNBLOCK, set, 0, 8));
		assertTrue(SignalDelivery.beforeUserMode(f.process, f.main()));
		assertEquals(HANDLER, f.main().regs().rip);
		assertEquals(0, f.process.pendingSignals());
	}

	@Test
	void realTimeSignalsQueueAndNestedFramesStack() {
		int rt = 40;
		install(rt, SignalFrame.SA_SIGINFO | SignalFrame.SA_NODEFER, 0);
		assertEquals(0, f.call(Syscalls.TKILL, 1000, rt));
		assertEquals(0, f.call(Syscalls.TKILL, 1000, rt));
		assertTrue(SignalDelivery.beforeUserMode(f.process, f.main()));
		long second = f.main().regs().rsp;
		long firstReturn = f.space.readU64(second + SignalFrame.UC_MCONTEXT + SignalFrame.SC_RIP);
		assertEquals(HANDLER, firstReturn, "the second frame returns into the first handler");
		assertEquals(0, f.process.pendingSignals());
	}

	@Test
	void faultsGoToAnUnblockedHandlerWithTheirAddress() {
		GuestThread t = f.main();
		assertFalse(SignalDelivery.fault(f.process, t, Signals.SIGSEGV, 14, 6, 0, 0x401050), "no handler");
		install(Signals.SIGSEGV, SignalFrame.SA_SIGINFO, 0);
		t.signalMask(bit(Signals.SIGSEGV));
		assertFalse(SignalDelivery.fault(f.process, t, Signals.SIGSEGV, 14, 6, 0, 0x401050), "blocked: it kills");
		t.signalMask(0);
		assertTrue(SignalDelivery.fault(f.process, t, Signals.SIGSEGV, 14, 6, 0x10, 0x401050));
		long frame = t.regs().rsp;
		long info = frame + SignalFrame.SIGINFO;
		assertEquals(SignalDelivery.SEGV_MAPERR, f.space.readU32(info + 8));
		assertEquals(0x10, f.space.readU64(info + 16), "si_addr");
		assertEquals(14, f.space.readU64(frame + SignalFrame.UC_MCONTEXT + SignalFrame.SC_TRAPNO));
		assertEquals(0x10, f.space.readU64(frame + SignalFrame.UC_MCONTEXT + SignalFrame.SC_CR2));
		assertEquals(0x401050, f.space.readU64(frame + SignalFrame.UC_MCONTEXT + SignalFrame.SC_RIP));
		assertEquals(bit(Signals.SIGSEGV), t.signalMask());
		assertEquals(SignalDelivery.SEGV_ACCERR, SignalFrame.getInt(SignalDelivery.faultInfo(Signals.SIGSEGV, 14, 7,
				0x10, 0), 8), "a present page: an access error");
		assertEquals(0x401050, SignalFrame.getLong(SignalDelivery.faultInfo(Signals.SIGFPE, 0, 0, 0, 0x401050), 16));
	}

	@Test
	void aFrameThatCannotBeWrittenOrReadKillsWithSigsegv() {
		install(Signals.SIGUSR1, 0, 0);
		f.main().regs().rsp = LinuxFixture.UNMAPPED;
		assertEquals(0, f.call(Syscalls.TKILL, 1000, Signals.SIGUSR1));
		assertFalse(SignalDelivery.beforeUserMode(f.process, f.main()));
		assertEquals(128 + Signals.SIGSEGV, f.process.termination().orElseThrow().status());
	}

	@Test
	void sigreturnWithoutAFrameKillsWithSigsegv() {
		f.main().regs().rsp = LinuxFixture.UNMAPPED;
		f.call(Syscalls.RT_SIGRETURN);
		assertEquals(128 + Signals.SIGSEGV, f.process.termination().orElseThrow().status());
	}

	@Test
	void aHandlerWithoutRestorerCannotBeEntered() {
		long act = f.u64s(HANDLER, 0, 0, 0);
		assertEquals(0, f.call(Syscalls.RT_SIGACTION, Signals.SIGUSR1, act, 0, 8));
		assertEquals(0, f.call(Syscalls.TKILL, 1000, Signals.SIGUSR1));
		assertFalse(SignalDelivery.beforeUserMode(f.process, f.main()));
		assertEquals(128 + Signals.SIGSEGV, f.process.termination().orElseThrow().status());
	}

	@Test
	void theAlternateStackIsUsedAndAutodisarmGivesItUp() {
		long alt = f.space.mmap(0, 1 << 16, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS);
		long ss = f.alloc(24);
		f.space.writeU64(ss, alt);
		f.space.writeU32(ss + 8, SignalCalls.SS_AUTODISARM);
		f.space.writeU64(ss + 16, 1 << 16);
		assertEquals(0, f.call(Syscalls.SIGALTSTACK, ss, 0));
		install(Signals.SIGUSR1, SignalFrame.SA_ONSTACK, 0);
		assertEquals(0, f.call(Syscalls.TKILL, 1000, Signals.SIGUSR1));
		assertTrue(SignalDelivery.beforeUserMode(f.process, f.main()));
		long frame = f.main().regs().rsp;
		assertTrue(frame > alt && frame < alt + (1 << 16), "on the alternate stack");
		assertEquals(SignalCalls.SS_DISABLE, f.main().altStackFlags(), "SS_AUTODISARM");
		f.main().regs().rsp = frame + 8;
		f.call(Syscalls.RT_SIGRETURN);
		assertEquals(alt, f.main().altStackSp(), "rt_sigreturn gives it back");
		assertNotEquals(SignalCalls.SS_DISABLE, f.main().altStackFlags());
	}

	@Test
	void sigsuspendReturnsEintrForAPendingSignalAndItsFrameSavesTheOldMask() {
		install(Signals.SIGUSR1, 0, 0);
		long set = f.u64s(bit(Signals.SIGUSR1));
		assertEquals(0, f.call(Syscalls.RT_SIGPROCMASK, SignalCalls.SIG_BLOCK, set, 0, 8));
		assertEquals(0, f.call(Syscalls.TKILL, 1000, Signals.SIGUSR1));
		assertEquals(-Errno.EINVAL, f.call(SignalWaits.RT_SIGSUSPEND, f.u64s(0), 4));
		assertEquals(-Errno.EINTR, f.call(SignalWaits.RT_SIGSUSPEND, f.u64s(0), 8));
		assertEquals(0, f.main().signalMask(), "the temporary mask");
		assertTrue(SignalDelivery.beforeUserMode(f.process, f.main()));
		long frame = f.main().regs().rsp;
		assertEquals(HANDLER, f.main().regs().rip);
		assertEquals(bit(Signals.SIGUSR1), f.space.readU64(frame + SignalFrame.UC_SIGMASK), "the mask before");
		f.main().regs().rsp = frame + 8;
		f.call(Syscalls.RT_SIGRETURN);
		assertEquals(bit(Signals.SIGUSR1), f.main().signalMask());
	}

	@Test
	void pauseAndSigsuspendWaitUntilAnotherThreadSignals() {
		install(Signals.SIGUSR1, 0, 0);
		GuestThread other = f.scheduler.spawn(f.main().regs().copy(), f.xsave.clone(), 0);
		other.regs().rax = SignalWaits.PAUSE;
		f.callAs(other, SignalWaits.PAUSE);
		assertTrue(other.isBlocked());
		install(Signals.SIGUSR2, 0, 0);
		assertEquals(0, f.call(Syscalls.TKILL, 1000, Signals.SIGUSR2), "another thread's signal: still waiting");
		assertTrue(other.isBlocked());
		assertEquals(0, f.call(Syscalls.TKILL, other.tid(), Signals.SIGUSR1));
		assertFalse(other.isBlocked());
		assertEquals(-Errno.EINTR, other.regs().rax);
		assertTrue(SignalDelivery.beforeUserMode(f.process, other));
		assertEquals(HANDLER, other.regs().rip);

		// A process signal the main thread blocks goes to the thread in rt_sigsuspend.
		f.main().signalMask(bit(Signals.SIGUSR1));
		GuestThread third = f.scheduler.spawn(f.main().regs().copy(), f.xsave.clone(), 0);
		third.signalMask(bit(Signals.SIGUSR1));
		other.signalMask(bit(Signals.SIGUSR1));
		f.callAs(third, SignalWaits.RT_SIGSUSPEND, f.u64s(0), 8);
		assertTrue(third.isBlocked());
		assertEquals(0, f.call(Syscalls.KILL, 1000, Signals.SIGUSR1));
		assertFalse(third.isBlocked());
		assertEquals(-Errno.EINTR, third.regs().rax);
		assertEquals(0, f.process.pending().visibleTo(f.main()) & bit(Signals.SIGUSR1), "it is the waiter's now");
		assertTrue(SignalDelivery.beforeUserMode(f.process, third));
		assertEquals(HANDLER, third.regs().rip);
	}
}
