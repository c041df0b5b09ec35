package org.insight.vmm.linux;

import static org.insight.vmm.linux.LinuxFixture.UNMAPPED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SignalCallsTest {
	private final LinuxFixture f = new LinuxFixture();

	@AfterEach
	void close() {
		f.close();
	}

	private static long bit(int sig) {
		return 1L << (sig - 1);
	}

	@Test
	void abortEndsTheRunWith134() {
		assertEquals(0, f.call(Syscalls.TGKILL, 1000, 1000, Signals.SIGABRT));
		Termination t = f.process.termination().orElseThrow();
		assertEquals(134, t.status());
		assertTrue(t.describe().contains("SIGABRT"), t.describe());
	}

	@Test
	void killAndTkillReachOnlyThisProcess() {
		assertEquals(-Errno.ESRCH, f.call(Syscalls.KILL, 4242, Signals.SIGTERM));
		assertEquals(-Errno.ESRCH, f.call(Syscalls.TGKILL, 4242, 1000, Signals.SIGTERM));
		assertEquals(-Errno.ESRCH, f.call(Syscalls.TKILL, 1001, Signals.SIGTERM));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.TKILL, 0, Signals.SIGTERM));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.KILL, 1000, 65));
		assertEquals(0, f.call(Syscalls.KILL, 1000, 0), "signal 0 only checks the target");
		assertEquals(0, f.call(Syscalls.KILL, 0, Signals.SIGCHLD), "ignored by default");
		assertEquals(0, f.call(Syscalls.KILL, 0, Signals.SIGTSTP), "a guest cannot be stopped");
		assertTrue(f.process.termination().isEmpty());
		assertEquals(0, f.call(Syscalls.TKILL, 1000, Signals.SIGSEGV));
		assertEquals(139, f.process.termination().orElseThrow().status());
	}

	@Test
	void actionsAreKeptAndIgnoredSignalsDoNothing() {
		long act = f.u64s(SignalAction.SIG_IGN, 0x04000000, 0x401234, bit(Signals.SIGKILL) | bit(Signals.SIGINT));
		long old = f.alloc(32);
		assertEquals(0, f.call(Syscalls.RT_SIGACTION, Signals.SIGTERM, act, old, 8));
		assertEquals(0, f.space.readU64(old), "the old action was SIG_DFL");
		assertEquals(0, f.call(Syscalls.RT_SIGACTION, Signals.SIGTERM, 0, old, 8));
		assertEquals(SignalAction.SIG_IGN, f.space.readU64(old));
		assertEquals(0x401234, f.space.readU64(old + 16));
		assertEquals(bit(Signals.SIGINT), f.space.readU64(old + 24), "SIGKILL cannot be in a handler's mask");
		assertEquals(0, f.call(Syscalls.KILL, 1000, Signals.SIGTERM));
		assertTrue(f.process.termination().isEmpty());
		assertEquals(-Errno.EINVAL, f.call(Syscalls.RT_SIGACTION, Signals.SIGKILL, act, 0, 8));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.RT_SIGACTION, 65, 0, old, 8));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.RT_SIGACTION, Signals.SIGINT, act, old, 4), "sigsetsize");
		assertEquals(-Errno.EFAULT, f.call(Syscalls.RT_SIGACTION, Signals.SIGINT, UNMAPPED, 0, 8));
	}

	@Test
	void aHandledSignalWaitsForTheReturnToUserMode() {
		long act = f.u64s(0x401000, SignalFrame.SA_RESTORER, 0x401200, 0);
		assertEquals(0, f.call(Syscalls.RT_SIGACTION, Signals.SIGUSR1, act, 0, 8));
		assertEquals(0, f.call(Syscalls.KILL, 1000, Signals.SIGUSR1));
		assertTrue(f.process.termination().isEmpty());
		assertEquals(bit(Signals.SIGUSR1), f.process.pendingSignals());
		long act2 = f.u64s(SignalAction.SIG_IGN, 0, 0, 0);
		assertEquals(0, f.call(Syscalls.RT_SIGACTION, Signals.SIGUSR1, act2, 0, 8));
		assertEquals(0, f.process.pendingSignals(), "ignoring it discards it");
	}

	@Test
	void aBlockedSignalWaitsUntilItIsUnblocked() {
		long set = f.u64s(bit(Signals.SIGABRT) | bit(Signals.SIGKILL));
		long old = f.alloc(8);
		assertEquals(0, f.call(Syscalls.RT_SIGPROCMASK, SignalCalls.SIG_BLOCK, set, old, 8));
		assertEquals(0, f.space.readU64(old));
		assertEquals(bit(Signals.SIGABRT), f.main().signalMask(), "SIGKILL cannot be blocked");
		assertEquals(0, f.call(Syscalls.TKILL, 1000, Signals.SIGABRT));
		assertTrue(f.process.termination().isEmpty(), "blocked: pending");
		assertEquals(bit(Signals.SIGABRT), f.process.pendingSignals());
		assertEquals(0, f.call(Syscalls.RT_SIGPROCMASK, SignalCalls.SIG_SETMASK, f.u64s(0), old, 8));
		assertEquals(bit(Signals.SIGABRT), f.space.readU64(old));
		assertEquals(134, f.process.termination().orElseThrow().status(), "delivered when unblocked");
	}

	@Test
	void sigprocmaskChecksItsArguments() {
		long set = f.u64s(bit(Signals.SIGINT));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.RT_SIGPROCMASK, 3, set, 0, 8));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.RT_SIGPROCMASK, 0, set, 0, 16));
		assertEquals(-Errno.EFAULT, f.call(Syscalls.RT_SIGPROCMASK, 0, UNMAPPED, 0, 8));
		assertEquals(0, f.call(Syscalls.RT_SIGPROCMASK, SignalCalls.SIG_BLOCK, set, 0, 8));
		assertEquals(0, f.call(Syscalls.RT_SIGPROCMASK, SignalCalls.SIG_UNBLOCK, set, 0, 8));
		assertEquals(0, f.main().signalMask());
		assertEquals(0, f.call(Syscalls.RT_SIGPROCMASK, 99, 0, 0, 8), "without a set, how is not looked at");
	}

	@Test
	void sigaltstackKeepsTheStack() {
		long old = f.alloc(24);
		assertEquals(0, f.call(Syscalls.SIGALTSTACK, 0, old));
		assertEquals(SignalCalls.SS_DISABLE, f.space.readU32(old + 8));
		long ss = f.alloc(24);
		f.space.writeU64(ss, 0x7000_0000L);
		f.space.writeU32(ss + 8, 0);
		f.space.writeU64(ss + 16, 65536);
		assertEquals(0, f.call(Syscalls.SIGALTSTACK, ss, 0));
		assertEquals(0, f.call(Syscalls.SIGALTSTACK, 0, old));
		assertEquals(0x7000_0000L, f.space.readU64(old));
		assertEquals(65536, f.space.readU64(old + 16));
		f.space.writeU64(ss + 16, 100);
		assertEquals(-Errno.ENOMEM, f.call(Syscalls.SIGALTSTACK, ss, 0));
		f.space.writeU32(ss + 8, 7);
		assertEquals(-Errno.EINVAL, f.call(Syscalls.SIGALTSTACK, ss, 0));
	}
}
