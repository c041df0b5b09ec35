package org.insight.vmm.linux;

import org.insight.vmm.memory.GuestFault;
import org.insight.vmm.sched.GuestThread;

/**
 * The calls that would make or replace a process: fork, vfork, clone or clone3 without CLONE_THREAD, execve and
 * execveat. One machine runs one process, so they answer ENOSYS, which programs handle (posix_spawn and system
 * report the failure); the run says so once per call kind on stderr, naming where the guest made the call, so the
 * user is not left guessing why a child never ran. clone3 for a thread also answers ENOSYS, silently: glibc then
 * falls back to clone. So the process never has a child, and wait4 and waitid answer as Linux does for a process
 * without children: ECHILD, once their arguments pass Linux's own checks (EINVAL before that).
 */
final class ProcessCreation {
	static final String WHY = " (not supported: one VM per process is not built yet); it got ENOSYS at ";
	/** The x86-64 syscall instruction's length: RIP points past it when the call is handled. */
	private static final int SYSCALL_LENGTH = 2;
	/** wait options (include/uapi/linux/wait.h). */
	static final long WNOHANG = 1, WSTOPPED = 2, WEXITED = 4, WCONTINUED = 8, WNOWAIT = 0x0100_0000L,
			WNOTHREAD = 0x2000_0000L, WALL = 0x4000_0000L, WCLONE = 0x8000_0000L;
	/** waitid's idtypes. */
	static final int P_ALL = 0, P_PID = 1, P_PGID = 2, P_PIDFD = 3;

	private ProcessCreation() {
	}

	static void register(SyscallTable t) {
		t.register(Syscalls.FORK, (p, th, a) -> refuse(p, th, "fork"));
		t.register(Syscalls.VFORK, (p, th, a) -> refuse(p, th, "vfork"));
		t.register(Syscalls.EXECVE, (p, th, a) -> refuse(p, th, "execve"));
		t.register(Syscalls.EXECVEAT, (p, th, a) -> refuse(p, th, "execveat"));
		t.register(Syscalls.CLONE3, ProcessCreation::clone3);
		t.register(Syscalls.WAIT4, (p, th, a) -> wait4(a.intArg(0), a.a2()));
		t.register(Syscalls.WAITID, (p, th, a) -> waitid(p, a.intArg(0), a.a1(), a.a3()));
	}

	/** wait4(pid, wstatus, options, rusage), as kernel/exit.c's kernel_wait4 checks it, with no child to wait for. */
	static long wait4(int pid, long options) {
		if ((options & ~(WNOHANG | WSTOPPED | WCONTINUED | WNOTHREAD | WCLONE | WALL)) != 0) {
			return -Errno.EINVAL;
		}
		return pid == Integer.MIN_VALUE ? -Errno.ESRCH : -Errno.ECHILD;
	}

	/** waitid(idtype, id, infop, options, rusage), as kernel_waitid checks it, with no child to wait for. */
	static long waitid(LinuxProcess p, int idtype, long id, long options) {
		if ((options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | WNOTHREAD | WCLONE | WALL)) != 0
				|| (options & (WEXITED | WSTOPPED | WCONTINUED)) == 0) {
			return -Errno.EINVAL;
		}
		int upid = (int) id;
		return switch (idtype) {
		case P_ALL -> -Errno.ECHILD;
		case P_PID -> upid <= 0 ? -Errno.EINVAL : -Errno.ECHILD;
		case P_PGID -> upid < 0 ? -Errno.EINVAL : -Errno.ECHILD;
		// no descriptor is a pidfd here: Linux's pidfd_get_pid answers EBADF for one not open, EINVAL otherwise
		case P_PIDFD -> upid < 0 || p.isOpen(upid) ? -Errno.EINVAL : -Errno.EBADF;
		default -> -Errno.EINVAL;
		};
	}

	/** clone3(args, size): {@code struct clone_args} begins with the u64 flags. */
	private static long clone3(LinuxProcess p, GuestThread t, SyscallArgs a) {
		long flags;
		try {
			flags = p.memory().readU64(a.a0());
		} catch (GuestFault f) {
			return -Errno.ENOSYS;
		}
		if ((flags & ThreadCalls.CLONE_THREAD) != 0) {
			return -Errno.ENOSYS;
		}
		return refuse(p, t, "clone3 without CLONE_THREAD");
	}

	/** ENOSYS, and the once-per-kind note "the guest called KIND (...); it got ENOSYS at function+0x1c". */
	static long refuse(LinuxProcess p, GuestThread t, String kind) {
		String prefix = "the guest called " + kind + " (";
		if (p.notes().stream().noneMatch(n -> n.startsWith(prefix))) {
			p.note("the guest called " + kind + WHY + p.describeCode(t.regs().rip - SYSCALL_LENGTH));
		}
		return -Errno.ENOSYS;
	}
}
