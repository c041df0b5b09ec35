package org.insight.vmm.linux;

import org.insight.vmm.inputs.StdinRead;
import org.insight.vmm.linux.fd.Epoll;
import org.insight.vmm.linux.fd.EventFd;
import org.insight.vmm.linux.fd.HostFile;
import org.insight.vmm.linux.fd.OpenFile;
import org.insight.vmm.linux.fd.PipeEnd;
import org.insight.vmm.linux.fd.SignalFd;
import org.insight.vmm.linux.fd.StdStream;
import org.insight.vmm.memory.GuestFault;
import org.insight.vmm.sched.GuestThread;

/**
 * The file room's data calls: read, write and their vector forms on any descriptor (the standard streams, pipes,
 * eventfds), fstat and its relatives, and paths. stdin is read through the inputs and stdout and stderr go to the
 * {@link OutputSink}, through whichever descriptor refers to them (a dup of fd 1 writes to stdout). The standard
 * streams look like pipes, whatever the host's are, so that every run sees the same: fstat says FIFO, ioctl says
 * ENOTTY (libc buffers stdout fully), lseek says ESPIPE. Paths are {@link ProvidedFileCalls}: only the provided read-only files exist; readlink("/proc/self/exe") names the program. Descriptors themselves (close, dup, fcntl, pipe, eventfd)
 * are {@link DescriptorCalls}; pipe and eventfd transfers are {@link PipeIo}; poll is {@link PollCalls}.
 */
final class FileCalls {
	/** Largest transfer per call, so a huge count never means a huge host buffer; libc loops on short counts. */
	static final int MAX_TRANSFER = 1 << 16;

	static final int AT_EMPTY_PATH = 0x1000;
	static final int AT_FDCWD = ProvidedFileCalls.AT_FDCWD;
	static final int AT_SYMLINK_NOFOLLOW = 0x100;
	static final int AT_NO_AUTOMOUNT = 0x800;
	static final int AT_STATX_SYNC_TYPE = 0x6000;

	static final int TCGETS = 0x5401;
	static final int TIOCGWINSZ = 0x5413;

	/** st_mode of fds 0-2 and pipes: S_IFIFO | 0600. */
	static final int FIFO_MODE = OpenFile.FIFO_MODE;
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
		t.register(Syscalls.PREAD64, (p, th, a) -> pread(p, a.a0(), IoVector.single(a.a1(), transferSize(a.a2())), a.a3()));
		t.register(Syscalls.PREADV, FileCalls::preadv);
		t.register(Syscalls.PWRITE64, (p, th, a) -> seekable(p, a.a0()));
		t.register(Syscalls.LSEEK, (p, th, a) -> p.fds().get(a.a0()) instanceof HostFile h
				? ProvidedFileCalls.lseek(h, a.a1(), a.intArg(2)) : seekable(p, a.a0()));
		t.register(Syscalls.GETDENTS64, (p, th, a) -> ProvidedFileCalls.getdents64(p, a.a0(), a.a1(), a.a2()));
		t.register(Syscalls.FSTAT, (p, th, a) -> fstat(p, a.a0(), a.a1()));
		t.register(Syscalls.NEWFSTATAT, FileCalls::newfstatat);
		t.register(Syscalls.STATX, FileCalls::statx);
		t.register(Syscalls.STAT, (p, th, a) -> ProvidedFileCalls.statPath(p, AT_FDCWD, a.a0(), a.a1()));
		t.register(Syscalls.LSTAT, (p, th, a) -> ProvidedFileCalls.statPath(p, AT_FDCWD, a.a0(), a.a1()));
		t.register(Syscalls.ACCESS, (p, th, a) -> ProvidedFileCalls.access(p, AT_FDCWD, a.a0(), a.intArg(1)));
		t.register(Syscalls.FACCESSAT, (p, th, a) -> ProvidedFileCalls.access(p, a.intArg(0), a.a1(), a.intArg(2)));
		t.register(Syscalls.FACCESSAT2, (p, th, a) -> ProvidedFileCalls.access(p, a.intArg(0), a.a1(), a.intArg(2)));
		t.register(Syscalls.OPEN, (p, th, a) -> ProvidedFileCalls.openat(p, AT_FDCWD, a.a0(), a.intArg(1)));
		t.register(Syscalls.OPENAT, (p, th, a) -> ProvidedFileCalls.openat(p, a.intArg(0), a.a1(), a.intArg(2)));
		t.register(Syscalls.IOCTL, (p, th, a) -> p.isOpen(a.a0()) ? -Errno.ENOTTY : -Errno.EBADF);
		t.register(Syscalls.READLINK, (p, th, a) -> readlink(p, a.a0(), a.a1(), a.a2()));
		t.register(Syscalls.READLINKAT, (p, th, a) -> readlink(p, a.a1(), a.a2(), a.a3()));
		t.register(Syscalls.GETCWD, FileCalls::getcwd);
	}

	// ---------------------------------------------------------------- read and write, by what the descriptor is

	private static long read(LinuxProcess p, GuestThread t, SyscallArgs a) {
		OpenFile file = p.fds().get(a.a0());
		if (file == null || !file.readable()) {
			return -Errno.EBADF;
		}
		return switch (file) {
		case StdStream s -> readStdin(p, t, IoVector.single(a.a1(), transferSize(a.a2())));
		case PipeEnd end -> PipeIo.read(p, t, a.intArg(0), end, IoVector.single(a.a1(), transferSize(a.a2())));
		case EventFd e -> PipeIo.read(p, t, a.intArg(0), e, IoVector.single(a.a1(), transferSize(a.a2())));
		case Epoll ep -> -Errno.EINVAL;
		case HostFile h -> ProvidedFileCalls.read(p, h, IoVector.single(a.a1(), transferSize(a.a2())), -1);
		case SignalFd sfd -> SignalFdCalls.read(p, t, a.intArg(0), sfd,
				IoVector.single(a.a1(), transferSize(a.a2())));
		};
	}

	/** musl's stdio reads stdin with readv: one input read, scattered over the vectors. */
	private static long readv(LinuxProcess p, GuestThread t, SyscallArgs a) {
		OpenFile file = p.fds().get(a.a0());
		if (file == null || !file.readable()) {
			return -Errno.EBADF;
		}
		IoVector v = IoVector.read(p.memory(), a.a1(), a.a2());
		if (v == null) {
			return -Errno.EINVAL;
		}
		return switch (file) {
		case StdStream s -> readStdin(p, t, v);
		case PipeEnd end -> PipeIo.read(p, t, a.intArg(0), end, v);
		case EventFd e -> PipeIo.read(p, t, a.intArg(0), e, v);
		case Epoll ep -> -Errno.EINVAL;
		case HostFile h -> ProvidedFileCalls.read(p, h, v, -1);
		case SignalFd sfd -> SignalFdCalls.read(p, t, a.intArg(0), sfd, v);
		};
	}

	/** pread64 and preadv: only a provided regular file has positions; a negative offset is EINVAL. */
	private static long pread(LinuxProcess p, long fd, IoVector v, long offset) {
		OpenFile file = p.fds().get(fd);
		if (!(file instanceof HostFile h)) {
			return seekable(p, fd);
		}
		if (v == null || offset < 0) {
			return -Errno.EINVAL;
		}
		return ProvidedFileCalls.read(p, h, v, offset);
	}

	private static long preadv(LinuxProcess p, GuestThread t, SyscallArgs a) {
		if (!(p.fds().get(a.a0()) instanceof HostFile)) {
			return seekable(p, a.a0());
		}
		return pread(p, a.a0(), IoVector.read(p.memory(), a.a1(), a.a2()), a.a3());
	}

	/** One input read of stdin, scattered over the buffers (checked writable first: the input must not be lost). */
	private static long readStdin(LinuxProcess p, GuestThread t, IoVector v) {
		int n = transferSize(v.total());
		if (n == 0) {
			return 0;
		}
		long[] iov = v.iov();
		for (int i = 0; i < iov.length; i += 2) {
			UserAccess.requireWritable(p.memory(), iov[i], Math.min(iov[i + 1], MAX_TRANSFER));
		}
		byte[] buffer = new byte[n];
		int got = p.inputs().readStdin(new StdinRead(t.tid(), n), buffer);
		if (got > 0) {
			v.scatter(p.memory(), 0, buffer, got);
		}
		return got;
	}

	private static long write(LinuxProcess p, GuestThread t, SyscallArgs a) {
		OpenFile file = p.fds().get(a.a0());
		if (file == null || !file.writable()) {
			return -Errno.EBADF;
		}
		long count = Long.compareUnsigned(a.a2(), Integer.MAX_VALUE) > 0 ? Integer.MAX_VALUE : a.a2();
		return switch (file) {
		case StdStream s -> writeFrom(p, s.stream(), a.a1(), count);
		case PipeEnd end -> PipeIo.write(p, t, a.intArg(0), end, IoVector.single(a.a1(), count));
		case EventFd e -> e.isTimerFd() ? -Errno.EINVAL
				: PipeIo.write(p, t, a.intArg(0), e, IoVector.single(a.a1(), count));
		case Epoll ep -> -Errno.EINVAL;
		case SignalFd sfd -> -Errno.EINVAL;
		case HostFile h -> -Errno.EBADF;
		};
	}

	private static long writev(LinuxProcess p, GuestThread t, SyscallArgs a) {
		OpenFile file = p.fds().get(a.a0());
		if (file == null || !file.writable()) {
			return -Errno.EBADF;
		}
		IoVector v = IoVector.read(p.memory(), a.a1(), a.a2());
		if (v == null) {
			return -Errno.EINVAL;
		}
		return switch (file) {
		case StdStream s -> writevOutput(p, s.stream(), v.iov());
		case PipeEnd end -> PipeIo.write(p, t, a.intArg(0), end, v);
		case EventFd e -> e.isTimerFd() ? -Errno.EINVAL : PipeIo.write(p, t, a.intArg(0), e, v);
		case Epoll ep -> -Errno.EINVAL;
		case SignalFd sfd -> -Errno.EINVAL;
		case HostFile h -> -Errno.EBADF;
		};
	}

	private static long writevOutput(LinuxProcess p, int stream, long[] iov) {
		long done = 0;
		for (int i = 0; i < iov.length; i += 2) {
			if (iov[i + 1] == 0) {
				continue;
			}
			long r;
			try {
				r = writeFrom(p, stream, iov[i], iov[i + 1]);
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

	/** Writes guest bytes to stdout or stderr in chunks; a fault after some output returns the count so far. */
	private static long writeFrom(LinuxProcess p, int stream, long va, long count) {
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
			long r = p.writeOutput(stream, buffer, 0, chunk);
			if (r < 0) {
				return done > 0 ? done : r;
			}
			done += chunk;
		}
		return done;
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
		p.memory().copyOut(statbuf, stat(p.fds().get(fd)));
		return 0;
	}

	private static long newfstatat(LinuxProcess p, GuestThread t, SyscallArgs a) {
		int flags = a.intArg(3);
		if ((flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT)) != 0) {
			return -Errno.EINVAL;
		}
		String path = UserAccess.path(p.memory(), a.a1());
		if (!path.isEmpty()) {
			return ProvidedFileCalls.statPath(p, a.intArg(0), a.a1(), a.a2());
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
		if (!path.isEmpty()) {
			return ProvidedFileCalls.statxPath(p, a.intArg(0), a.a1(), a.a4());
		}
		if ((flags & AT_EMPTY_PATH) == 0) {
			return -Errno.ENOENT;
		}
		int fd = a.intArg(0);
		if (!p.isOpen(fd)) {
			return -Errno.EBADF;
		}
		p.memory().copyOut(a.a4(), statx(p.fds().get(fd)));
		return 0;
	}

	/** The inode number fstat gives: the stream's number + 1 for the standard streams, 100 + its number otherwise. */
	private static long inode(OpenFile f) {
		return switch (f) {
		case StdStream s -> s.stream() + 1;
		case PipeEnd end -> 100 + end.pipe().id();
		case EventFd e -> 100 + e.id();
		case Epoll ep -> 100 + ep.id();
		case SignalFd sfd -> 100 + sfd.id();
		case HostFile h -> h.node().ino();
		};
	}

	/** A {@code struct stat} (x86-64, 144 bytes): a FIFO for the standard streams and pipes, an anonymous inode else. */
	static byte[] stat(OpenFile f) {
		if (f instanceof HostFile h) {
			return ProvidedFileCalls.stat(h.node());
		}
		byte[] s = new byte[STAT_SIZE];
		putLong(s, 0, 0xc); // st_dev: pipefs (anon_inodefs for an eventfd is another number; nothing reads it)
		putLong(s, 8, inode(f)); // st_ino
		putLong(s, 16, 1); // st_nlink
		putInt(s, 24, f.mode()); // st_mode
		putInt(s, 28, LinuxProcess.UID);
		putInt(s, 32, LinuxProcess.GID);
		putLong(s, 56, 4096); // st_blksize: a pipe's
		return s;
	}

	/** A {@code struct statx} (256 bytes). */
	static byte[] statx(OpenFile f) {
		if (f instanceof HostFile h) {
			return ProvidedFileCalls.statx(h.node());
		}
		byte[] s = new byte[STATX_SIZE];
		putInt(s, 0, STATX_BASIC_STATS); // stx_mask
		putInt(s, 4, 4096); // stx_blksize
		putInt(s, 16, 1); // stx_nlink
		putInt(s, 20, LinuxProcess.UID);
		putInt(s, 24, LinuxProcess.GID);
		s[28] = (byte) f.mode(); // stx_mode (u16)
		s[29] = (byte) (f.mode() >> 8);
		putLong(s, 32, inode(f)); // stx_ino
		putInt(s, 140, 0xc); // stx_dev_minor
		return s;
	}

	// ---------------------------------------------------------------- paths

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
