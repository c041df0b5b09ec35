package org.insight.vmm.linux;

import org.insight.vmm.memory.GuestFault;
import org.insight.vmm.sched.GuestThread;

/**
 * The calls that would make or replace a process: fork, vfork, clone or clone3 without CLONE_THREAD, execve and
 * execveat. One machine runs one process, so they answer ENOSYS, which programs handle (posix_spawn and system
 * report the failure); the run says so once per call kind on stderr, naming where the guest made the call, so the
 * user is not left guessing why a child never ran. clone3 for a thread also answers ENOSYS, silently: glibc then
 * falls back to clone.
 */
final class ProcessCreation {
	static final String WHY = " (not supported: one VM per process is not built yet); it got ENOSYS at ";
	/** The x86-64 syscall instruction's length: RIP points past it when the call is handled. */
	private static final int SYSCALL_LENGTH = 2;

	private ProcessCreation() {
	}

	static void register(SyscallTable t) {
		t.register(Syscalls.FORK, (p, th, a) -> refuse(p, th, "fork"));
		t.register(Syscalls.VFORK, (p, th, a) -> refuse(p, th, "vfork"));
		t.register(Syscalls.EXECVE, (p, th, a) -> refuse(p, th, "execve"));
		t.register(Syscalls.EXECVEAT, (p, th, a) -> refuse(p, th, "execveat"));
		t.register(Syscalls.CLONE3, ProcessCreation::clone3);
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
