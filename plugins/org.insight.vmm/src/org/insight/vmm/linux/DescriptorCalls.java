package org.insight.vmm.linux;

import org.insight.vmm.linux.fd.EventFd;
import org.insight.vmm.linux.fd.FdTable;
import org.insight.vmm.linux.fd.OpenFile;
import org.insight.vmm.linux.fd.Pipe;
import org.insight.vmm.linux.fd.PipeBuffer;
import org.insight.vmm.linux.fd.PipeEnd;
import org.insight.vmm.memory.GuestFault;
import org.insight.vmm.sched.GuestThread;

/**
 * The descriptor calls: close, dup, dup2, dup3, fcntl (F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL, F_SETFL,
 * F_GETPIPE_SZ), pipe, pipe2, eventfd and eventfd2, over the process's {@link FdTable}. There is no execve, so the
 * close-on-exec flag is only kept and reported.
 */
final class DescriptorCalls {
	static final int F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_DUPFD_CLOEXEC = 1030,
			F_SETPIPE_SZ = 1031, F_GETPIPE_SZ = 1032;
	static final int FD_CLOEXEC = 1;
	static final int EFD_SEMAPHORE = 1;

	private DescriptorCalls() {
	}

	static void register(SyscallTable t) {
		t.register(Syscalls.CLOSE, (p, th, a) -> close(p, a.a0()));
		t.register(Syscalls.DUP, (p, th, a) -> dupAt(p, a.a0(), 0, false));
		t.register(Syscalls.DUP2, (p, th, a) -> dup2(p, a.a0(), a.a1()));
		t.register(Syscalls.DUP3, (p, th, a) -> dup3(p, a.a0(), a.a1(), a.intArg(2)));
		t.register(Syscalls.FCNTL, DescriptorCalls::fcntl);
		t.register(Syscalls.PIPE, (p, th, a) -> pipe(p, a.a0(), 0));
		t.register(Syscalls.PIPE2, (p, th, a) -> pipe(p, a.a0(), a.intArg(1)));
		t.register(Syscalls.EVENTFD, (p, th, a) -> eventfd(p, a.a0(), 0));
		t.register(Syscalls.EVENTFD2, (p, th, a) -> eventfd(p, a.a0(), a.intArg(1)));
	}

	private static long close(LinuxProcess p, long fd) {
		OpenFile f = p.fds().close(fd);
		if (f == null) {
			return -Errno.EBADF;
		}
		closed(f);
		return 0;
	}

	/** A descriptor of {@code f} was closed: if that was its last, a pipe lost an end, which its waiters must see. */
	private static void closed(OpenFile f) {
		if (f != null && f.waiters() != null) {
			f.waiters().touch();
			BlockedCall.retryWaiters(f.waiters());
		}
	}

	private static long dupAt(LinuxProcess p, long oldFd, long from, boolean cloexec) {
		OpenFile f = p.fds().get(oldFd);
		if (f == null) {
			return -Errno.EBADF;
		}
		int fd = p.fds().allocate(f, (int) from, p.fdLimit(), cloexec);
		return fd < 0 ? -Errno.EMFILE : fd;
	}

	private static long dup2(LinuxProcess p, long oldFd, long newFd) {
		int oldInt = (int) oldFd, newInt = (int) newFd;
		if (!p.fds().isOpen(oldInt)) {
			return -Errno.EBADF;
		}
		if (oldInt == newInt) {
			return newInt;
		}
		return install(p, oldInt, newInt, false);
	}

	private static long dup3(LinuxProcess p, long oldFd, long newFd, int flags) {
		int oldInt = (int) oldFd, newInt = (int) newFd;
		if ((flags & ~OpenFile.O_CLOEXEC) != 0) {
			return -Errno.EINVAL;
		}
		if (oldInt == newInt) {
			return -Errno.EINVAL;
		}
		if (!p.fds().isOpen(oldInt)) {
			return -Errno.EBADF;
		}
		return install(p, oldInt, newInt, (flags & OpenFile.O_CLOEXEC) != 0);
	}

	private static long install(LinuxProcess p, int oldFd, int newFd, boolean cloexec) {
		if (newFd < 0 || newFd >= p.fdLimit()) {
			return -Errno.EBADF;
		}
		closed(p.fds().install(newFd, p.fds().get(oldFd), cloexec));
		return newFd;
	}

	private static long fcntl(LinuxProcess p, GuestThread t, SyscallArgs a) {
		long fd = a.a0();
		OpenFile f = p.fds().get(fd);
		if (f == null) {
			return -Errno.EBADF;
		}
		int arg = a.intArg(2);
		switch (a.intArg(1)) {
		case F_DUPFD, F_DUPFD_CLOEXEC:
			if (arg < 0 || arg >= p.fdLimit()) {
				return -Errno.EINVAL;
			}
			return dupAt(p, fd, arg, a.intArg(1) == F_DUPFD_CLOEXEC);
		case F_GETFD:
			return p.fds().closeOnExec(fd) ? FD_CLOEXEC : 0;
		case F_SETFD:
			p.fds().closeOnExec((int) fd, (arg & FD_CLOEXEC) != 0);
			return 0;
		case F_GETFL:
			return f.statusFlags();
		case F_SETFL:
			f.statusFlags(arg);
			return 0;
		case F_GETPIPE_SZ:
			return f instanceof PipeEnd ? PipeBuffer.CAPACITY : -Errno.EBADF;
		default:
			// F_SETPIPE_SZ (a pipe keeps Linux's default size), locks, leases, owners, seals: not supported.
			return -Errno.EINVAL;
		}
	}

	/** pipe and pipe2: O_NONBLOCK and O_CLOEXEC; O_DIRECT (packet mode) and anything else is EINVAL. */
	private static long pipe(LinuxProcess p, long fds, int flags) {
		if ((flags & ~(OpenFile.O_NONBLOCK | OpenFile.O_CLOEXEC)) != 0) {
			return -Errno.EINVAL;
		}
		UserAccess.requireWritable(p.memory(), fds, 8);
		FdTable table = p.fds();
		int readFd = table.lowestFree(0, p.fdLimit());
		int writeFd = readFd < 0 ? -1 : table.lowestFree(readFd + 1, p.fdLimit());
		if (writeFd < 0) {
			return -Errno.EMFILE;
		}
		PipeEnd[] ends = Pipe.open(p.nextObjectId(), flags);
		boolean cloexec = (flags & OpenFile.O_CLOEXEC) != 0;
		table.install(readFd, ends[0], cloexec);
		table.install(writeFd, ends[1], cloexec);
		try {
			p.memory().writeU32(fds, readFd);
			p.memory().writeU32(fds + 4, writeFd);
		} catch (GuestFault f) {
			table.close(readFd);
			table.close(writeFd);
			throw f;
		}
		return 0;
	}

	/** eventfd and eventfd2: EFD_SEMAPHORE, EFD_NONBLOCK (O_NONBLOCK) and EFD_CLOEXEC (O_CLOEXEC). */
	private static long eventfd(LinuxProcess p, long initial, int flags) {
		if ((flags & ~(EFD_SEMAPHORE | OpenFile.O_NONBLOCK | OpenFile.O_CLOEXEC)) != 0) {
			return -Errno.EINVAL;
		}
		EventFd e = new EventFd(p.nextObjectId(), initial & 0xffff_ffffL, (flags & EFD_SEMAPHORE) != 0, flags);
		int fd = p.fds().allocate(e, 0, p.fdLimit(), (flags & OpenFile.O_CLOEXEC) != 0);
		return fd < 0 ? -Errno.EMFILE : fd;
	}
}
