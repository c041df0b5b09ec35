package org.insight.vmm.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.insight.kvm.Regs;
import org.insight.vmm.linux.fd.OpenFile;
import org.insight.vmm.sched.GuestThread;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** signalfd on the personality alone: what a read takes, in which order and layout, and who it wakes. */
class SignalFdTest {
	private static final int SIGRT = 36;
	private final LinuxFixture f = new LinuxFixture();

	@AfterEach
	void close() {
		f.close();
	}

	private static long bit(int sig) {
		return 1L << (sig - 1);
	}

	private int signalfd(long mask, int flags) {
		assertEquals(0, f.call(Syscalls.RT_SIGPROCMASK, SignalCalls.SIG_BLOCK, f.u64s(mask), 0, 8));
		return (int) f.call(SignalFdCalls.SIGNALFD4, -1, f.u64s(mask), 8, flags);
	}

	@Test
	void aReadTakesTheThreadsOwnSignalsFirstThenTheProcesssAsSignalfdSiginfo() {
		int fd = signalfd(bit(Signals.SIGUSR1) | bit(SIGRT), OpenFile.O_NONBLOCK);
		long buf = f.alloc(4 * 128);
		assertEquals(-Errno.EAGAIN, f.call(Syscalls.READ, fd, buf, 4 * 128));
		assertEquals(0, f.call(Syscalls.KILL, 1000, SIGRT));
		assertEquals(0, f.call(Syscalls.KILL, 1000, SIGRT));
		assertEquals(0, f.call(Syscalls.TKILL, 1000, Signals.SIGUSR1));
		long pfd = f.alloc(8);
		f.space.writeU32(pfd, fd);
		f.space.writeU32(pfd + 4, PollCalls.POLLIN);
		assertEquals(1, f.call(Syscalls.POLL, pfd, 1, 0));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.READ, fd, buf, 127));
		assertEquals(3 * 128, f.call(Syscalls.READ, fd, buf, 4 * 128));
		assertEquals(Signals.SIGUSR1, f.space.readU32(buf), "the thread's own first");
		assertEquals(LinuxProcess.SI_TKILL, f.space.readU32(buf + 8));
		assertEquals(SIGRT, f.space.readU32(buf + 128));
		assertEquals(LinuxProcess.SI_USER, f.space.readU32(buf + 128 + 8));
		assertEquals(1000, f.space.readU32(buf + 128 + 12), "ssi_pid");
		assertEquals(SIGRT, f.space.readU32(buf + 256), "a real-time signal queued twice is read twice");
		assertEquals(0, f.process.pendingSignals());
		assertEquals(0, f.call(Syscalls.POLL, pfd, 1, 0));
		assertEquals(-Errno.EINVAL, f.call(SignalFdCalls.SIGNALFD4, 1, f.u64s(0), 8, 0), "stdout is no signalfd");
		assertEquals(-Errno.EINVAL, f.call(SignalFdCalls.SIGNALFD4, -1, f.u64s(0), 16, 0));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.WRITE, fd, buf, 8));
	}

	@Test
	void aBlockedReaderTakesTheSignalWhenItComesAndAMaskChangeIsSeen() {
		int fd = signalfd(bit(Signals.SIGUSR1) | bit(Signals.SIGUSR2), 0);
		GuestThread reader = f.scheduler.spawn(new Regs(), null, 0);
		reader.signalMask(bit(Signals.SIGUSR1) | bit(Signals.SIGUSR2));
		long buf = f.alloc(128);
		f.callAs(reader, Syscalls.READ, fd, buf, 128);
		assertTrue(reader.isBlocked());
		assertEquals(0, f.call(Syscalls.KILL, 1000, Signals.SIGUSR2));
		assertFalse(reader.isBlocked(), "the new pending signal retried the read");
		assertEquals(128, reader.regs().rax);
		assertEquals(Signals.SIGUSR2, f.space.readU32(buf));
		assertEquals(fd, f.call(SignalFdCalls.SIGNALFD, fd, f.u64s(bit(Signals.SIGUSR2)), 8));
		f.callAs(reader, Syscalls.READ, fd, buf, 128);
		assertEquals(0, f.call(Syscalls.TKILL, reader.tid(), Signals.SIGUSR1));
		assertTrue(reader.isBlocked(), "SIGUSR1 is outside the new mask");
	}
}
