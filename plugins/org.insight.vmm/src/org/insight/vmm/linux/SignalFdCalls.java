package org.insight.vmm.linux;

import java.util.List;

import org.insight.vmm.linux.fd.OpenFile;
import org.insight.vmm.linux.fd.SignalFd;
import org.insight.vmm.sched.GuestThread;
import org.insight.vmm.sched.IoWait;

/**
 * signalfd and signalfd4: a descriptor ({@link SignalFd}) from which a thread reads the signals of a mask that are
 * pending for it or for the process, its own first, each as a 128-byte struct signalfd_siginfo, instead of their
 * delivery (the program blocks them). A read with none pending waits on the process's signal wait list, which every
 * new pending signal retries ({@link SignalWaits#signalled}), or is EAGAIN when non-blocking; poll, select and epoll
 * see it readable while one is pending for the polling thread ({@link #pending}).
 */
final class SignalFdCalls {
	static final int SIGNALFD = 282, SIGNALFD4 = 289;
	/** sizeof(struct signalfd_siginfo). */
	static final int SSI_SIZE = 128;

	private SignalFdCalls() {
	}

	static void register(SyscallTable t) {
		t.register(SIGNALFD, (p, th, a) -> signalfd(p, a.intArg(0), a.a1(), a.a2(), 0));
		t.register(SIGNALFD4, (p, th, a) -> signalfd(p, a.intArg(0), a.a1(), a.a2(), a.intArg(3)));
	}

	private static long signalfd(LinuxProcess p, int fd, long maskAddress, long size, int flags) {
		if ((flags & ~(OpenFile.O_NONBLOCK | OpenFile.O_CLOEXEC)) != 0 || size != TemporaryMask.SIGSET_SIZE) {
			return -Errno.EINVAL;
		}
		long mask = p.memory().readU64(maskAddress) & ~SignalCalls.UNBLOCKABLE;
		if (fd != -1) {
			OpenFile f = p.fds().get(fd);
			if (f == null) {
				return -Errno.EBADF;
			}
			if (!(f instanceof SignalFd s)) {
				return -Errno.EINVAL;
			}
			s.mask(mask);
			s.waiters().touch();
			BlockedCall.retryWaiters(s.waiters());
			return fd;
		}
		SignalFd s = new SignalFd(p.nextObjectId(), mask, p.pending().waiters(), flags);
		int allocated = p.fds().allocate(s, 0, p.fdLimit(), (flags & OpenFile.O_CLOEXEC) != 0);
		return allocated < 0 ? -Errno.EMFILE : allocated;
	}

	/** Whether a signal of {@code s}'s mask is pending for {@code t} or its process (Linux's signalfd_poll). */
	static boolean pending(LinuxProcess p, GuestThread t, SignalFd s) {
		return (p.pending().visibleTo(t) & s.mask()) != 0;
	}

	/** read and readv: as many pending signals of the mask as whole records fit, at least one. */
	static long read(LinuxProcess p, GuestThread t, int fd, SignalFd s, IoVector v) {
		if (v.total() < SSI_SIZE) {
			return -Errno.EINVAL;
		}
		boolean nonBlocking = s.nonBlocking();
		return BlockedCall.run(p, t, "read(" + fd + ": " + s.describe() + ")", List.of(s.waiters()),
				GuestThread.NO_DEADLINE, 0, () -> {
					int records = (int) Math.min(v.total() / SSI_SIZE, 64);
					v.requireWritable(p.memory(), (long) records * SSI_SIZE);
					int n = 0;
					while (n < records) {
						PendingSets.Taken taken = p.pending().take(t, s.mask());
						if (taken == null) {
							break;
						}
						v.scatter(p.memory(), (long) n * SSI_SIZE, record(taken.info()), SSI_SIZE);
						n++;
					}
					if (n > 0) {
						return (long) n * SSI_SIZE;
					}
					return nonBlocking ? -Errno.EAGAIN : IoWait.NOT_READY;
				});
	}

	/** A siginfo as struct signalfd_siginfo, by Linux's siginfo_layout and signalfd_copyinfo. */
	static byte[] record(byte[] info) {
		byte[] r = new byte[SSI_SIZE];
		int code = SignalFrame.getInt(info, 8);
		SignalFrame.putInt(r, 0, SignalFrame.getInt(info, 0));
		SignalFrame.putInt(r, 4, SignalFrame.getInt(info, 4));
		SignalFrame.putInt(r, 8, code);
		if (code == PosixTimerCalls.SI_TIMER) {
			SignalFrame.putInt(r, 24, SignalFrame.getInt(info, 16)); // ssi_tid: the timer's id
			SignalFrame.putInt(r, 32, SignalFrame.getInt(info, 20)); // ssi_overrun
		} else {
			SignalFrame.putInt(r, 12, SignalFrame.getInt(info, 16)); // ssi_pid
			SignalFrame.putInt(r, 16, SignalFrame.getInt(info, 20)); // ssi_uid
		}
		if (code < 0) { // SIL_RT and SIL_TIMER carry the value
			SignalFrame.putInt(r, 44, SignalFrame.getInt(info, 24)); // ssi_int
			SignalFrame.putLong(r, 48, SignalFrame.getLong(info, 24)); // ssi_ptr
		}
		return r;
	}
}
