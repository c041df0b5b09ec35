package org.insight.vmm.linux;

import org.insight.vmm.inputs.StdinRead;
import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.memory.GuestFault;
import org.insight.vmm.sched.GuestThread;

/**
 * The file room: the guest has stdin (fd 0, read through the inputs), stdout and stderr (fds 1 and 2, written to the
 * {@link OutputSink}), and no file system. The three descriptors look like pipes, whatever the host's are, so that
 * every run sees the same: fstat says FIFO, ioctl says ENOTTY (libc buffers stdout fully), lseek says ESPIPE.
 * Opening any path fails with ENOENT, except that readlink("/proc/self/exe") names the program.
 */
final class FileCalls {
	/** Largest transfer per call, so a huge count never means a huge host buffer; libc loops on short counts. */
	static final int MAX_TRANSFER = 1 << 16;
	/** Linux's UIO_MAXIOV. */
	static final int IOV_MAX = 1024;

	static final int AT_EMPTY_PATH = 0x1000;
	static final int AT_SYMLINK_NOFOLLOW = 0x100;
	static final int AT_NO_AUTOMOUNT = 0x800;
	static final int AT_STATX_SYNC_TYPE = 0x6000;

	static final int TCGETS = 0x5401;
	static final int TIOCGWINSZ = 0x5413;

	static final int F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4;
	static final int O_RDONLY = 0, O_WRONLY = 1;

	/** st_mode of fds 0-2: S_IFIFO | 0600. */
	static final int FIFO_MODE = 0010600;
	static final int STAT_SIZE = 144;
	static final int STATX_SIZE = 256;
	static final int STATX_BASIC_STATS = 0x7ff;

	private FileCalls() {
	}

	static void register(SyscallTable t) {
		t.register(Syscalls.READ, FileCalls::read);
		t.register(Syscalls.READV, FileCalls::readv);
		t.register(Syscalls.WRITE, FileCalls::write);
		t.register(Syscalls.WRITEV, FileCalls::writev);
		t.register(Syscalls.PREAD64, (p, th, a) -> seekable(p, a.a0()));
		t.register(Syscalls.PWRITE64, (p, th, a) -> seekable(p, a.a0()));
		t.register(Syscalls.LSEEK, (p, th, a) -> seekable(p, a.a0()));
		t.register(Syscalls.CLOSE, (p, th, a) -> p.close(a.a0()) ? 0 : -Errno.EBADF);
		t.register(Syscalls.FSTAT, (p, th, a) -> fstat(p, a.a0(), a.a1()));
		t.register(Syscalls.NEWFSTATAT, FileCalls::newfstatat);
		t.register(Syscalls.STATX, FileCalls::statx);
		t.register(Syscalls.STAT, (p, th, a) -> noSuchFile(p, a.a0()));
		t.register(Syscalls.LSTAT, (p, th, a) -> noSuchFile(p, a.a0()));
		t.register(Syscalls.ACCESS, (p, th, a) -> noSuchFile(p, a.a0()));
		t.register(Syscalls.FACCESSAT, (p, th, a) -> noSuchFile(p, a.a1()));
		t.register(Syscalls.FACCESSAT2, (p, th, a) -> noSuchFile(p, a.a1()));
		t.register(Syscalls.OPEN, (p, th, a) -> noSuchFile(p, a.a0()));
		t.register(Syscalls.OPENAT, (p, th, a) -> noSuchFile(p, a.a1()));
		t.register(Syscalls.IOCTL, (p, th, a) -> p.isOpen(a.a0()) ? -Errno.ENOTTY : -Errno.EBADF);
		t.register(Syscalls.FCNTL, FileCalls::fcntl);
		t.register(Syscalls.READLINK, (p, th, a) -> readlink(p, a.a0(), a.a1(), a.a2()));
		t.register(Syscalls.READLINKAT, (p, th, a) -> readlink(p, a.a1(), a.a2(), a.a3()));
		t.register(Syscalls.GETCWD, FileCalls::getcwd);
	}

	// ---------------------------------------------------------------- stdin

	private static long read(LinuxProcess p, GuestThread t, SyscallArgs a) {
		long fd = a.a0();
		if (fd != 0 || !p.isOpen(fd)) {
			return -Errno.EBADF;
		}
		int n = transferSize(a.a2());
		if (n == 0) {
			return 0;
		}
		UserAccess.requireWritable(p.memory(), a.a1(), n);
		byte[] buffer = new byte[n];
		int got = p.inputs().readStdin(new StdinRead(t.tid(), n), buffer);
		if (got > 0) {
			p.memory().copyOut(a.a1(), buffer, 0, got);
		}
		return got;
	}

	/** musl's stdio reads stdin with readv: one input read, scattered over the vectors. */
	private static long readv(LinuxProcess p, GuestThread t, SyscallArgs a) {
		long fd = a.a0();
		if (fd != 0 || !p.isOpen(fd)) {
			return -Errno.EBADF;
		}
		long[] iov = iovecs(p.memory(), a.a1(), a.a2());
		if (iov == null) {
			return -Errno.EINVAL;
		}
		long total = 0;
		for (int i = 0; i < iov.length; i += 2) {
			UserAccess.requireWritable(p.memory(), iov[i], Math.min(iov[i + 1], MAX_TRANSFER));
			total += iov[i + 1];
		}
		int n = transferSize(total);
		if (n == 0) {
			return 0;
		}
		byte[] buffer = new byte[n];
		int got = p.inputs().readStdin(new StdinRead(t.tid(), n), buffer);
		int done = 0;
		for (int i = 0; i < iov.length && done < got; i += 2) {
			int chunk = (int) Math.min(iov[i + 1], got - done);
			p.memory().copyOut(iov[i], buffer, done, chunk);
			done += chunk;
		}
		return got;
	}

	// ---------------------------------------------------------------- stdout, stderr

	private static long write(LinuxProcess p, GuestThread t, SyscallArgs a) {
		long fd = a.a0();
		if (!isOutput(p, fd)) {
			return -Errno.EBADF;
		}
		long count = Long.compareUnsigned(a.a2(), Integer.MAX_VALUE) > 0 ? Integer.MAX_VALUE : a.a2();
		long r = writeFrom(p, (int) fd, a.a1(), count);
		return r;
	}

	private static long writev(LinuxProcess p, GuestThread t, SyscallArgs a) {
		long fd = a.a0();
		if (!isOutput(p, fd)) {
			return -Errno.EBADF;
		}
		long[] iov = iovecs(p.memory(), a.a1(), a.a2());
		if (iov == null) {
			return -Errno.EINVAL;
		}
		long done = 0;
		for (int i = 0; i < iov.length; i += 2) {
			if (iov[i + 1] == 0) {
				continue;
			}
			long r;
			try {
				r = writeFrom(p, (int) fd, iov[i], iov[i + 1]);
			} catch (GuestFault f) {
				if (done > 0) {
					return done;
				}
				throw f;
			}
			if (r < 0) {
				return done > 0 ? done : r;
			}
			done += r;
			if (r < iov[i + 1]) {
				break;
			}
		}
		return done;
	}

	/** Writes guest bytes in chunks; a fault after some output returns the count so far, as Linux does. */
	private static long writeFrom(LinuxProcess p, int fd, long va, long count) {
		long done = 0;
		byte[] buffer = new byte[(int) Math.min(count, MAX_TRANSFER)];
		while (done < count) {
			int chunk = (int) Math.min(count - done, MAX_TRANSFER);
			try {
				p.memory().copyIn(va + done, buffer, 0, chunk);
			} catch (GuestFault f) {
				if (done > 0) {
					return done;
				}
				throw f;
			}
			long r = p.writeOutput(fd, buffer, 0, chunk);
			if (r < 0) {
				return done > 0 ? done : r;
			}
			done += chunk;
		}
		return done;
	}

	private static boolean isOutput(LinuxProcess p, long fd) {
		return (fd == 1 || fd == 2) && p.isOpen(fd);
	}

	/**
	 * The iovec array as {base, len, base, len, ...}, or null when the count or a length is invalid (EINVAL), as
	 * Linux checks before any transfer.
	 */
	private static long[] iovecs(AddressSpace memory, long va, long count) {
		if (count < 0 || count > IOV_MAX) {
			return null;
		}
		long[] iov = new long[(int) count * 2];
		long total = 0;
		for (int i = 0; i < iov.length; i += 2) {
			iov[i] = memory.readU64(va + 8L * i);
			iov[i + 1] = memory.readU64(va + 8L * i + 8);
			if (iov[i + 1] < 0) {
				return null;
			}
			total += iov[i + 1];
			if (total < 0) {
				return null;
			}
		}
		return iov;
	}

	/** A size_t count, capped at {@link #MAX_TRANSFER}. */
	private static int transferSize(long count) {
		return Long.compareUnsigned(count, MAX_TRANSFER) > 0 ? MAX_TRANSFER : (int) count;
	}

	// ---------------------------------------------------------------- descriptors

	private static long seekable(LinuxProcess p, long fd) {
		return p.isOpen(fd) ? -Errno.ESPIPE : -Errno.EBADF;
	}

	private static long fstat(LinuxProcess p, long fd, long statbuf) {
		if (!p.isOpen(fd)) {
			return -Errno.EBADF;
		}
		p.memory().copyOut(statbuf, stat((int) fd));
		return 0;
	}

	private static long newfstatat(LinuxProcess p, GuestThread t, SyscallArgs a) {
		int flags = a.intArg(3);
		if ((flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT)) != 0) {
			return -Errno.EINVAL;
		}
		String path = UserAccess.path(p.memory(), a.a1());
		if (!path.isEmpty()) {
			return -Errno.ENOENT;
		}
		if ((flags & AT_EMPTY_PATH) == 0) {
			return -Errno.ENOENT;
		}
		return fstat(p, a.intArg(0), a.a2());
	}

	private static long statx(LinuxProcess p, GuestThread t, SyscallArgs a) {
		int flags = a.intArg(2);
		if ((flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE)) != 0
				|| (flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE) {
			return -Errno.EINVAL;
		}
		String path = UserAccess.path(p.memory(), a.a1());
		if (!path.isEmpty() || (flags & AT_EMPTY_PATH) == 0) {
			return -Errno.ENOENT;
		}
		int fd = a.intArg(0);
		if (!p.isOpen(fd)) {
			return -Errno.EBADF;
		}
		p.memory().copyOut(a.a4(), statx(fd));
		return 0;
	}

	/** A {@code struct stat} (x86-64, 144 bytes) for one of the pipe-like standard descriptors. */
	static byte[] stat(int fd) {
		byte[] s = new byte[STAT_SIZE];
		putLong(s, 0, 0xc); // st_dev: pipefs
		putLong(s, 8, fd + 1); // st_ino
		putLong(s, 16, 1); // st_nlink
		putInt(s, 24, FIFO_MODE); // st_mode
		putInt(s, 28, LinuxProcess.UID);
		putInt(s, 32, LinuxProcess.GID);
		putLong(s, 56, 4096); // st_blksize: a pipe's
		return s;
	}

	/** A {@code struct statx} (256 bytes) for one of the standard descriptors. */
	static byte[] statx(int fd) {
		byte[] s = new byte[STATX_SIZE];
		putInt(s, 0, STATX_BASIC_STATS); // stx_mask
		putInt(s, 4, 4096); // stx_blksize
		putInt(s, 16, 1); // stx_nlink
		putInt(s, 20, LinuxProcess.UID);
		putInt(s, 24, LinuxProcess.GID);
		s[28] = (byte) FIFO_MODE; // stx_mode (u16)
		s[29] = (byte) (FIFO_MODE >> 8);
		putLong(s, 32, fd + 1); // stx_ino
		putInt(s, 140, 0xc); // stx_dev_minor
		return s;
	}

	private static long fcntl(LinuxProcess p, GuestThread t, SyscallArgs a) {
		long fd = a.a0();
		if (!p.isOpen(fd)) {
			return -Errno.EBADF;
		}
		return switch (a.intArg(1)) {
		case F_GETFD, F_SETFD, F_SETFL -> 0;
		case F_GETFL -> fd == 0 ? O_RDONLY : O_WRONLY;
		default -> -Errno.EINVAL;
		};
	}

	// ---------------------------------------------------------------- paths

	/** There is no file system: every path is missing (after the pointer is checked, as Linux does). */
	private static long noSuchFile(LinuxProcess p, long pathAddress) {
		UserAccess.path(p.memory(), pathAddress);
		return -Errno.ENOENT;
	}

	private static long readlink(LinuxProcess p, long pathAddress, long buf, long size) {
		String path = UserAccess.path(p.memory(), pathAddress);
		if ((int) size <= 0) {
			return -Errno.EINVAL;
		}
		if (!path.equals("/proc/self/exe") && !path.equals("/proc/" + p.pid() + "/exe")
				&& !path.equals("/proc/thread-self/exe")) {
			return -Errno.ENOENT;
		}
		byte[] target = p.executablePath().getBytes(java.nio.charset.StandardCharsets.UTF_8);
		int n = (int) Math.min(target.length, size);
		p.memory().copyOut(buf, target, 0, n);
		return n;
	}

	private static long getcwd(LinuxProcess p, GuestThread t, SyscallArgs a) {
		if (Long.compareUnsigned(a.a1(), 2) < 0) {
			return -Errno.ERANGE;
		}
		p.memory().copyOut(a.a0(), new byte[] { '/', 0 });
		return 2;
	}

	static void putLong(byte[] b, int off, long v) {
		for (int i = 0; i < 8; i++) {
			b[off + i] = (byte) (v >>> (8 * i));
		}
	}

	static void putInt(byte[] b, int off, int v) {
		for (int i = 0; i < 4; i++) {
			b[off + i] = (byte) (v >>> (8 * i));
		}
	}
}
