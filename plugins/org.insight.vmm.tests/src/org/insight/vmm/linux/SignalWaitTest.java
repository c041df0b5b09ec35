package org.insight.vmm.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.insight.kvm.Regs;
import org.insight.vmm.inputs.ClockRead;
import org.insight.vmm.memory.Mman;
import org.insight.vmm.sched.GuestThread;
import org.insight.vmm.sched.ThreadState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** rt_sigtimedwait, and handled signals that interrupt or restart blocked calls, on the personality alone. */
class SignalWaitTest {
	private static final long HANDLER = 0x401100, RESTORER = 0x401200, AFTER_SYSCALL = 0x401052;
	private final LinuxFixture f = new LinuxFixture();
	private final long stack = f.space.mmap(0, 1 << 16, Mman.PROT_READ | Mman.PROT_WRITE,
			Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS);

	@AfterEach
	void close() {
		f.close();
	}

	private static long bit(int sig) {
		return 1L << (sig - 1);
	}

	private void install(int sig, long flags) {
		long act = f.u64s(HANDLER, flags | SignalFrame.SA_RESTORER, RESTORER, 0);
		assertEquals(0, f.call(Syscalls.RT_SIGACTION, sig, act, 0, 8));
	}

	private GuestThread thread() {
		Regs r = new Regs();
		r.rsp = stack + (1 << 16) - 256;
		r.rflags = 0x202;
		return f.scheduler.spawn(r, f.xsave.clone(), 0);
	}

	/** Thread {@code t} makes syscall {@code nr} as the machine would: RAX and the argument registers set. */
	private long syscall(GuestThread t, int nr, long... args) {
		Regs r = t.regs();
		r.rax = nr;
		r.rip = AFTER_SYSCALL;
		long[] a = java.util.Arrays.copyOf(args, 6);
		r.rdi = a[0];
		r.rsi = a[1];
		r.rdx = a[2];
		r.r10 = a[3];
		r.r8 = a[4];
		r.r9 = a[5];
		long result = f.callAs(t, nr, args);
		if (t.state() == ThreadState.RUNNABLE) {
			r.rax = result;
		}
		return result;
	}

	private long timespec(long ns) {
		return f.u64s(ns / 1_000_000_000L, ns % 1_000_000_000L);
	}

	/** The handler's frame is at RSP: rt_sigreturn puts back what it saved. */
	private Regs sigreturn(GuestThread t) {
		assertEquals(HANDLER, t.regs().rip);
		t.regs().rsp += 8;
		t.regs().rax = f.callAs(t, Syscalls.RT_SIGRETURN);
		return t.regs();
	}

	@Test
	void aPendingSignalOfTheSetIsTakenWithItsSiginfo() {
		long set = f.u64s(bit(Signals.SIGUSR1) | bit(Signals.SIGUSR2));
		assertEquals(0, f.call(Syscalls.RT_SIGPROCMASK, SignalCalls.SIG_BLOCK, set, 0, 8));
		assertEquals(0, f.call(Syscalls.TKILL, 1000, Signals.SIGUSR2));
		long info = f.alloc(128);
		assertEquals(Signals.SIGUSR2, f.call(SignalTimedWait.RT_SIGTIMEDWAIT, set, info, 0, 8));
		assertEquals(Signals.SIGUSR2, f.space.readU32(info));
		assertEquals(LinuxProcess.SI_TKILL, f.space.readU32(info + 8));
		assertEquals(1000, f.space.readU32(info + 16), "si_pid");
		assertEquals(LinuxProcess.UID, f.space.readU32(info + 20), "si_uid");
		assertEquals(0, f.process.pendingSignals());

		assertEquals(-Errno.EINVAL, f.call(SignalTimedWait.RT_SIGTIMEDWAIT, set, info, 0, 16), "sigsetsize");
		assertEquals(-Errno.EFAULT, f.call(SignalTimedWait.RT_SIGTIMEDWAIT, LinuxFixture.UNMAPPED, 0, 0, 8));
		assertEquals(-Errno.EINVAL, f.call(SignalTimedWait.RT_SIGTIMEDWAIT, set, 0, f.u64s(0, 1_000_000_000L), 8));
		int reads = f.inputs.asked(ClockRead.class).size();
		assertEquals(-Errno.EAGAIN, f.call(SignalTimedWait.RT_SIGTIMEDWAIT, set, 0, timespec(0), 8));
		assertEquals(reads, f.inputs.asked(ClockRead.class).size(), "a zero timeout reads no clock");

		assertEquals(0, f.call(Syscalls.KILL, 1000, Signals.SIGUSR1));
		assertEquals(-Errno.EFAULT, f.call(SignalTimedWait.RT_SIGTIMEDWAIT, set, LinuxFixture.UNMAPPED, 0, 8));
		assertEquals(0, f.process.pendingSignals(), "taken even so, as in Linux");
	}

	@Test
	void aWaiterBlocksUntilASignalOfTheSetComesOrATimeoutAndAnotherHandledOneIsEintr() {
		f.main().signalMask(bit(Signals.SIGUSR1));
		GuestThread w = thread();
		w.signalMask(bit(Signals.SIGUSR1));
		long set = f.u64s(bit(Signals.SIGUSR1));
		long info = f.alloc(128);
		f.inputs.monotonic = 5_000;
		syscall(w, SignalTimedWait.RT_SIGTIMEDWAIT, set, info, timespec(2_000_000_000L), 8);
		assertTrue(w.isBlocked());
		assertEquals(2_000_005_000L, w.deadline(), "the timeout is a deadline on the monotonic clock");
		assertEquals(0, f.call(Syscalls.KILL, 1000, Signals.SIGUSR1), "every thread blocks it: for the waiter");
		assertFalse(w.isBlocked());
		assertEquals(Signals.SIGUSR1, w.regs().rax);
		assertEquals(LinuxProcess.SI_USER, f.space.readU32(info + 8));

		install(Signals.SIGUSR2, 0);
		syscall(w, SignalTimedWait.RT_SIGTIMEDWAIT, set, info, 0, 8);
		assertTrue(w.isBlocked());
		assertEquals(GuestThread.NO_DEADLINE, w.deadline());
		assertEquals(0, f.call(Syscalls.TKILL, w.tid(), Signals.SIGUSR2));
		assertEquals(-Errno.EINTR, w.regs().rax);
		assertTrue(SignalDelivery.beforeUserMode(f.process, w));
		assertEquals(-Errno.EINTR, sigreturn(w).rax, "EINTR, never restarted");
		assertEquals(AFTER_SYSCALL, w.regs().rip);
	}

	@Test
	void aBlockedSignalIsNeverIgnoredSoSigwaitTakesADefaultIgnoredOne() {
		assertEquals(0, f.call(Syscalls.TKILL, 1000, Signals.SIGWINCH), "not blocked: ignored");
		assertEquals(0, f.process.pendingSignals());
		long set = f.u64s(bit(Signals.SIGWINCH));
		assertEquals(0, f.call(Syscalls.RT_SIGPROCMASK, SignalCalls.SIG_BLOCK, set, 0, 8));
		assertEquals(0, f.call(Syscalls.TKILL, 1000, Signals.SIGWINCH));
		assertEquals(bit(Signals.SIGWINCH), f.process.pendingSignals());
		assertEquals(Signals.SIGWINCH, f.call(SignalTimedWait.RT_SIGTIMEDWAIT, set, 0, 0, 8));
		assertEquals(0, f.call(Syscalls.TKILL, 1000, Signals.SIGWINCH));
		assertEquals(0, f.call(Syscalls.RT_SIGPROCMASK, SignalCalls.SIG_UNBLOCK, set, 0, 8));
		assertFalse(f.process.isTerminated(), "unblocking it ends nothing");
		assertTrue(SignalDelivery.beforeUserMode(f.process, f.main()));
		assertEquals(0, f.process.pendingSignals(), "delivered: ignored");
	}

	/** pipe2: {read fd, write fd}. */
	private int[] pipe() {
		long fds = f.alloc(8);
		assertEquals(0, f.call(Syscalls.PIPE2, fds, 0));
		return new int[] { f.space.readU32(fds), f.space.readU32(fds + 4) };
	}

	@Test
	void aPipeReadIsEintrWithoutSaRestartAndRestartedWithIt() {
		int[] p = pipe();
		long buf = f.alloc(16);
		GuestThread r = thread();
		install(Signals.SIGUSR1, 0);
		syscall(r, Syscalls.READ, p[0], buf, 16);
		assertTrue(r.isBlocked());
		assertEquals(0, f.call(Syscalls.TKILL, r.tid(), Signals.SIGUSR1));
		assertFalse(r.isBlocked());
		assertEquals(-SyscallRestart.ERESTARTSYS, r.regs().rax, "decided on the way to user mode");
		assertTrue(SignalDelivery.beforeUserMode(f.process, r));
		assertEquals(-Errno.EINTR, sigreturn(r).rax);
		assertEquals(AFTER_SYSCALL, r.regs().rip);

		install(Signals.SIGUSR1, SignalFrame.SA_RESTART);
		syscall(r, Syscalls.READ, p[0], buf, 16);
		assertEquals(0, f.call(Syscalls.TKILL, r.tid(), Signals.SIGUSR1));
		assertTrue(SignalDelivery.beforeUserMode(f.process, r));
		Regs back = sigreturn(r);
		assertEquals(Syscalls.READ, back.rax, "restarted: the syscall number again");
		assertEquals(AFTER_SYSCALL - SyscallRestart.SYSCALL_LENGTH, back.rip, "at the syscall instruction");
		assertEquals(p[0], back.rdi);
		assertEquals(1, f.call(Syscalls.WRITE, p[1], f.bytes(new byte[] { 'x' }), 1));
		assertEquals(1, f.call(Syscalls.READ, p[0], buf, 16), "the interrupted read left the pipe's wait list");
	}

	@Test
	void pollIsEintrEvenWithSaRestartAndAProcessSignalGoesToTheMainThread() {
		int[] p = pipe();
		long pfd = f.alloc(8);
		f.space.writeU32(pfd, p[0]);
		f.space.writeU32(pfd + 4, PollCalls.POLLIN);
		install(Signals.SIGUSR1, SignalFrame.SA_RESTART);
		GuestThread other = thread();
		f.main().regs().rsp = stack + (1 << 15); // its frame goes there
		syscall(f.main(), Syscalls.POLL, pfd, 1, -1);
		assertTrue(f.main().isBlocked());
		assertEquals(0, syscall(other, Syscalls.KILL, 1000, Signals.SIGUSR1));
		assertFalse(f.main().isBlocked(), "complete_signal chose the main thread");
		assertEquals(0, f.process.pending().shared().mask(), "the signal is the main thread's own now");
		assertTrue(SignalDelivery.beforeUserMode(f.process, f.main()));
		assertEquals(-Errno.EINTR, sigreturn(f.main()).rax);
	}

	@Test
	void nanosleepIsEintrWithTheTimeLeftInRem() {
		install(Signals.SIGUSR1, SignalFrame.SA_RESTART);
		GuestThread s = thread();
		long rem = f.alloc(16);
		f.inputs.monotonic = 1_000;
		syscall(s, Syscalls.NANOSLEEP, timespec(3_000_000_000L), rem);
		assertEquals(ThreadState.SLEEP, s.state());
		f.inputs.monotonic = 1_000_001_000L;
		assertEquals(0, f.call(Syscalls.TKILL, s.tid(), Signals.SIGUSR1));
		assertEquals(2, f.space.readU64(rem));
		assertEquals(0, f.space.readU64(rem + 8));
		assertTrue(SignalDelivery.beforeUserMode(f.process, s));
		assertEquals(-Errno.EINTR, sigreturn(s).rax);
	}

	@Test
	void aFutexWaitRestartsWithSaRestartUnlessItHasATimeout() {
		install(Signals.SIGUSR1, SignalFrame.SA_RESTART);
		GuestThread w = thread();
		long word = f.u64s(0);
		syscall(w, Syscalls.FUTEX, word, FutexCalls.FUTEX_WAIT | FutexCalls.FUTEX_PRIVATE_FLAG, 0, 0);
		assertEquals(ThreadState.FUTEX_WAIT, w.state());
		assertEquals(0, f.call(Syscalls.TKILL, w.tid(), Signals.SIGUSR1));
		assertEquals(ThreadState.RUNNABLE, w.state());
		assertTrue(f.scheduler.futexWaiters(word).isEmpty());
		assertTrue(SignalDelivery.beforeUserMode(f.process, w));
		assertEquals(Syscalls.FUTEX, sigreturn(w).rax, "restarted");

		syscall(w, Syscalls.FUTEX, word, FutexCalls.FUTEX_WAIT, 0, timespec(1_000_000_000L));
		assertEquals(0, f.call(Syscalls.TKILL, w.tid(), Signals.SIGUSR1));
		assertTrue(SignalDelivery.beforeUserMode(f.process, w));
		assertEquals(-Errno.EINTR, sigreturn(w).rax, "a timed wait is EINTR");
	}

	/**
	 * A PI lock wait is interrupted even without SA_RESTART and always restarted (Linux's -ERESTARTNOINTR): the waiter
	 * leaves the queue, its handler runs, and the lock is asked again, which blocks again while the owner holds it.
	 */
	@Test
	void aPiLockWaitRunsTheHandlerAndIsAskedAgain() {
		install(Signals.SIGUSR1, 0);
		long word = f.u64s(0);
		assertEquals(0, f.call(Syscalls.FUTEX, word, FutexCalls.FUTEX_LOCK_PI, 0, 0), "the caller owns it");
		GuestThread w = thread();
		syscall(w, Syscalls.FUTEX, word, FutexCalls.FUTEX_LOCK_PI | FutexCalls.FUTEX_PRIVATE_FLAG, 0, 0);
		assertEquals(ThreadState.FUTEX_WAIT, w.state());
		assertEquals(0, f.call(Syscalls.TKILL, w.tid(), Signals.SIGUSR1));
		assertEquals(ThreadState.RUNNABLE, w.state(), "the handler does not wait for the lock");
		assertTrue(f.scheduler.futexWaiters(word).isEmpty(), "it left the lock's queue");
		assertTrue(SignalDelivery.beforeUserMode(f.process, w));
		Regs after = sigreturn(w);
		assertEquals(Syscalls.FUTEX, after.rax, "restarted without SA_RESTART");
		assertEquals(AFTER_SYSCALL - SyscallRestart.SYSCALL_LENGTH, after.rip);
		syscall(w, Syscalls.FUTEX, word, FutexCalls.FUTEX_LOCK_PI | FutexCalls.FUTEX_PRIVATE_FLAG, 0, 0);
		assertEquals(ThreadState.FUTEX_WAIT, w.state(), "asked again, it waits again");
		assertEquals(0, f.call(Syscalls.FUTEX, word, FutexCalls.FUTEX_UNLOCK_PI, 0, 0));
		assertEquals(ThreadState.RUNNABLE, w.state());
		assertEquals(w.tid(), f.space.readU32(word) & 0x3fffffff, "handed to the waiter");
	}

	@Test
	void anInterruptedCallWhoseSignalIsGoneRestartsWithoutAHandler() {
		int[] p = pipe();
		GuestThread r = thread();
		install(Signals.SIGUSR1, 0);
		syscall(r, Syscalls.READ, p[0], f.alloc(8), 8);
		assertEquals(0, f.call(Syscalls.TKILL, r.tid(), Signals.SIGUSR1));
		long ignore = f.u64s(SignalAction.SIG_IGN, 0, 0, 0);
		assertEquals(0, f.call(Syscalls.RT_SIGACTION, Signals.SIGUSR1, ignore, 0, 8), "discards it");
		assertTrue(SignalDelivery.beforeUserMode(f.process, r));
		assertEquals(Syscalls.READ, r.regs().rax);
		assertEquals(AFTER_SYSCALL - SyscallRestart.SYSCALL_LENGTH, r.regs().rip);
	}

	@Test
	void aBlockedSignalOrOneWithoutAHandlerInterruptsNothing() {
		int[] p = pipe();
		GuestThread r = thread();
		r.signalMask(bit(Signals.SIGUSR1));
		install(Signals.SIGUSR1, 0);
		syscall(r, Syscalls.READ, p[0], f.alloc(8), 8);
		assertEquals(0, f.call(Syscalls.TKILL, r.tid(), Signals.SIGUSR1));
		assertTrue(r.isBlocked(), "it blocks the signal");
		r.signalMask(bit(Signals.SIGWINCH));
		assertEquals(0, f.call(Syscalls.TKILL, r.tid(), Signals.SIGWINCH));
		assertTrue(r.isBlocked(), "SIGWINCH is ignored by default");
	}

	@Test
	void aBlockedWriterThatGetsSigpipeInItsRetryReturnsEpipeAndAPartialWriteItsCount() {
		int[] p = pipe();
		install(Signals.SIGPIPE, SignalFrame.SA_RESTART);
		int capacity = org.insight.vmm.linux.fd.PipeBuffer.CAPACITY;
		long big = f.space.mmap(0, 2L * capacity, Mman.PROT_READ | Mman.PROT_WRITE,
				Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS);
		assertEquals(capacity, f.call(Syscalls.WRITE, p[1], big, capacity));
		GuestThread w = thread();
		syscall(w, Syscalls.WRITE, p[1], big, 1);
		assertTrue(w.isBlocked());
		assertEquals(0, f.call(Syscalls.CLOSE, p[0]), "the close retries the writer, which raises SIGPIPE");
		assertEquals(-Errno.EPIPE, w.regs().rax, "not interrupted by its own SIGPIPE");
		assertTrue(SignalDelivery.beforeUserMode(f.process, w));
		assertEquals(-Errno.EPIPE, sigreturn(w).rax);

		int[] q = pipe();
		install(Signals.SIGUSR1, SignalFrame.SA_RESTART);
		syscall(w, Syscalls.WRITE, q[1], big, capacity + 10);
		assertTrue(w.isBlocked(), "a full pipe and 10 bytes to go");
		assertEquals(0, f.call(Syscalls.TKILL, w.tid(), Signals.SIGUSR1));
		assertEquals(capacity, w.regs().rax, "what it wrote, never restarted");
		assertTrue(SignalDelivery.beforeUserMode(f.process, w));
		assertEquals(capacity, sigreturn(w).rax);
	}

	/** A pollfd for reading {@code fd}. */
	private long pollIn(int fd) {
		long pfd = f.alloc(8);
		f.space.writeU32(pfd, fd);
		f.space.writeU32(pfd + 4, PollCalls.POLLIN);
		return pfd;
	}

	/** SIGUSR1 blocked by the main thread, handled (with SA_RESTART, which these calls ignore) and pending. */
	private void blockedPendingUsr1() {
		install(Signals.SIGUSR1, SignalFrame.SA_RESTART);
		assertEquals(0, f.call(Syscalls.RT_SIGPROCMASK, SignalCalls.SIG_BLOCK, f.u64s(bit(Signals.SIGUSR1)), 0, 8));
		assertEquals(0, f.call(Syscalls.TKILL, 1000, Signals.SIGUSR1));
		f.main().regs().rsp = stack + (1 << 15);
	}

	@Test
	void ppollWithNothingReadyLetsAPendingSignalThroughItsMaskAndTheFrameKeepsTheOwnMask() {
		blockedPendingUsr1();
		int[] p = pipe();
		long result = syscall(f.main(), Syscalls.PPOLL, pollIn(p[0]), 1, 0, f.u64s(0), 8);
		assertFalse(f.main().isBlocked(), "the pending signal ends the wait before it starts");
		assertEquals(-SyscallRestart.ERESTARTNOHAND, result);
		assertTrue(SignalDelivery.beforeUserMode(f.process, f.main()));
		assertEquals(0, f.process.pendingSignals());
		Regs back = sigreturn(f.main());
		assertEquals(-Errno.EINTR, back.rax, "EINTR even with SA_RESTART");
		assertEquals(bit(Signals.SIGUSR1), f.main().signalMask(), "rt_sigreturn put the thread's own mask back");
	}

	@Test
	void ppollWithAReadyDescriptorReturnsItAndItsOwnMaskKeepsTheSignalPending() {
		blockedPendingUsr1();
		int[] p = pipe();
		assertEquals(1, f.call(Syscalls.WRITE, p[1], f.bytes(new byte[] { 'x' }), 1));
		assertEquals(1, syscall(f.main(), Syscalls.PPOLL, pollIn(p[0]), 1, 0, f.u64s(0), 8));
		assertTrue(SignalDelivery.beforeUserMode(f.process, f.main()));
		assertEquals(AFTER_SYSCALL, f.main().regs().rip, "no handler ran");
		assertEquals(bit(Signals.SIGUSR1), f.main().signalMask());
		assertEquals(bit(Signals.SIGUSR1), f.process.pendingSignals());
	}

	@Test
	void aSignalRaisedDuringPselectEndsItWhenItsMaskLetsItThrough() {
		install(Signals.SIGUSR1, 0);
		int[] p = pipe();
		GuestThread w = thread();
		w.signalMask(bit(Signals.SIGUSR1));
		long set = f.u64s(1L << p[0]);
		long timeout = timespec(0);
		assertEquals(0, syscall(w, Syscalls.PSELECT6, p[0] + 1, set, 0, 0, timeout, f.u64s(f.u64s(0), 8)));
		assertFalse(w.isBlocked(), "a zero timeout, nothing ready, no signal: 0 at once");
		assertTrue(SignalDelivery.beforeUserMode(f.process, w));
		assertEquals(bit(Signals.SIGUSR1), w.signalMask());

		syscall(w, Syscalls.PSELECT6, p[0] + 1, set, 0, 0, 0, f.u64s(f.u64s(0), 8));
		assertTrue(w.isBlocked());
		assertEquals(0, w.signalMask(), "it waits under the call's mask");
		assertEquals(0, f.call(Syscalls.TKILL, w.tid(), Signals.SIGUSR1));
		assertFalse(w.isBlocked());
		assertTrue(SignalDelivery.beforeUserMode(f.process, w));
		assertEquals(-Errno.EINTR, sigreturn(w).rax);
		assertEquals(bit(Signals.SIGUSR1), w.signalMask());
	}

	@Test
	void epollPwaitIsEintrAtOnceButAZeroTimeoutLooksAtNoSignal() {
		blockedPendingUsr1();
		int[] p = pipe();
		int ep = (int) f.call(Syscalls.EPOLL_CREATE1, 0);
		long event = f.alloc(12);
		f.space.writeU32(event, PollCalls.POLLIN);
		assertEquals(0, f.call(Syscalls.EPOLL_CTL, ep, EpollCalls.EPOLL_CTL_ADD, p[0], event));
		long out = f.alloc(12);
		assertEquals(0, syscall(f.main(), Syscalls.EPOLL_PWAIT, ep, out, 1, 0, f.u64s(0), 8));
		assertTrue(SignalDelivery.beforeUserMode(f.process, f.main()));
		assertEquals(AFTER_SYSCALL, f.main().regs().rip, "timed out at once: the mask came back before delivery");
		assertEquals(bit(Signals.SIGUSR1), f.process.pendingSignals());

		assertEquals(-Errno.EINTR, syscall(f.main(), Syscalls.EPOLL_PWAIT, ep, out, 1, -1, f.u64s(0), 8));
		assertTrue(SignalDelivery.beforeUserMode(f.process, f.main()));
		assertEquals(-Errno.EINTR, sigreturn(f.main()).rax);
		assertEquals(bit(Signals.SIGUSR1), f.main().signalMask());
		assertEquals(-Errno.EINVAL, f.call(Syscalls.EPOLL_PWAIT, ep, out, 1, 0, f.u64s(0), 16));
	}

	@Test
	void sigqueueQueuesTheCallersSiginfoOncePerCallAndOnlyToThisProcess() {
		int rt = 34;
		long set = f.u64s(bit(rt));
		assertEquals(0, f.call(Syscalls.RT_SIGPROCMASK, SignalCalls.SIG_BLOCK, set, 0, 8));
		for (int value : new int[] { 100, 200 }) {
			byte[] info = new byte[SignalFrame.SIGINFO_SIZE];
			SignalFrame.putInt(info, 8, -1); // SI_QUEUE
			SignalFrame.putInt(info, 24, value);
			assertEquals(0, f.call(SignalQueueCalls.RT_SIGQUEUEINFO, 1000, rt, f.bytes(info)));
		}
		long got = f.alloc(128);
		for (int value : new int[] { 100, 200 }) {
			assertEquals(rt, f.call(SignalTimedWait.RT_SIGTIMEDWAIT, set, got, 0, 8));
			assertEquals(rt, f.space.readU32(got), "si_signo set by the kernel");
			assertEquals(-1, f.space.readU32(got + 8));
			assertEquals(value, f.space.readU32(got + 24));
		}
		long info = f.bytes(new byte[SignalFrame.SIGINFO_SIZE]);
		assertEquals(-Errno.ESRCH, f.call(SignalQueueCalls.RT_SIGQUEUEINFO, 1001, rt, info));
		assertEquals(-Errno.EINVAL, f.call(SignalQueueCalls.RT_SIGQUEUEINFO, 1000, 99, info));
		assertEquals(-Errno.ESRCH, f.call(SignalQueueCalls.RT_TGSIGQUEUEINFO, 1000, 4242, rt, info));
		assertEquals(0, f.call(SignalQueueCalls.RT_TGSIGQUEUEINFO, 1000, 1000, rt, info));
		assertEquals(bit(rt), f.process.pending().of(f.main()).mask(), "the thread's own");
	}
}
