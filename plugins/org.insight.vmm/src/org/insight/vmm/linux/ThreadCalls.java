package org.insight.vmm.linux;

import org.insight.kvm.Regs;
import org.insight.vmm.memory.GuestFault;
import org.insight.vmm.sched.GuestThread;

/**
 * The thread room: clone for threads (never for processes), thread exit with clear_child_tid, set_tid_address,
 * robust lists, arch_prctl for the FS base, sched_yield.
 */
final class ThreadCalls {
	static final long CSIGNAL = 0xff;
	static final long CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800,
			CLONE_PIDFD = 0x1000, CLONE_PTRACE = 0x2000, CLONE_VFORK = 0x4000, CLONE_PARENT = 0x8000,
			CLONE_THREAD = 0x10000, CLONE_NEWNS = 0x20000, CLONE_SYSVSEM = 0x40000, CLONE_SETTLS = 0x80000,
			CLONE_PARENT_SETTID = 0x100000, CLONE_CHILD_CLEARTID = 0x200000, CLONE_DETACHED = 0x400000,
			CLONE_UNTRACED = 0x800000, CLONE_CHILD_SETTID = 0x1000000, CLONE_IO = 0x8000_0000L;
	/** What glibc and musl pass for a pthread, plus flags Linux ignores; everything else is refused. */
	static final long THREAD_FLAGS = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM
			| CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | CLONE_DETACHED
			| CLONE_UNTRACED | CLONE_IO;

	static final int ARCH_SET_GS = 0x1001, ARCH_SET_FS = 0x1002, ARCH_GET_FS = 0x1003, ARCH_GET_GS = 0x1004;
	/** Linux's TASK_SIZE_MAX: an FS base at or above it is refused with EPERM. */
	static final long TASK_SIZE_MAX = 0x7fff_ffff_f000L;
	/** sizeof(struct robust_list_head). */
	static final long ROBUST_LIST_HEAD_SIZE = 24;

	private ThreadCalls() {
	}

	static void register(SyscallTable t) {
		t.register(Syscalls.CLONE, ThreadCalls::clone);
		ProcessCreation.register(t);
		t.register(Syscalls.EXIT, (p, th, a) -> {
			exitThread(p, th, a.intArg(0));
			return 0;
		});
		t.register(Syscalls.GETTID, (p, th, a) -> th.tid());
		t.register(Syscalls.SET_TID_ADDRESS, (p, th, a) -> {
			th.clearChildTid(a.a0());
			return th.tid();
		});
		t.register(Syscalls.SET_ROBUST_LIST, (p, th, a) -> {
			if (a.a1() != ROBUST_LIST_HEAD_SIZE) {
				return -Errno.EINVAL;
			}
			th.robustListHead(a.a0());
			return 0;
		});
		t.register(Syscalls.GET_ROBUST_LIST, ThreadCalls::getRobustList);
		t.register(Syscalls.RSEQ, (p, th, a) -> -Errno.ENOSYS);
		t.register(Syscalls.ARCH_PRCTL, ThreadCalls::archPrctl);
		t.register(Syscalls.SCHED_YIELD, (p, th, a) -> {
			p.scheduler().yield(th);
			return 0;
		});
	}

	/**
	 * get_robust_list(pid, head_ptr, len_ptr): the head a thread of this process registered (0 for none) and its
	 * size. pid 0 is the caller; another tid of the process is allowed (same credentials); any other is ESRCH. musl
	 * asks it once, with pid 0, to learn whether the kernel has robust lists at all: without it
	 * pthread_mutexattr_setrobust fails with ENOSYS and a robust mutex is an ordinary one.
	 */
	static long getRobustList(LinuxProcess p, GuestThread t, SyscallArgs a) {
		long pid = a.a0();
		GuestThread target = pid == 0 ? t
				: pid < 0 || pid > Integer.MAX_VALUE ? null : p.scheduler().find((int) pid).orElse(null);
		if (target == null) {
			return -Errno.ESRCH;
		}
		UserAccess.requireWritable(p.memory(), a.a1(), 8);
		UserAccess.requireWritable(p.memory(), a.a2(), 8);
		p.memory().writeU64(a.a1(), target.robustListHead());
		p.memory().writeU64(a.a2(), ROBUST_LIST_HEAD_SIZE);
		return 0;
	}

	/**
	 * clone(flags, newsp, parent_tid, child_tid, tls) for a thread. The child starts as a copy of the caller at the
	 * syscall's return (RAX 0, RSP newsp when given) with the caller's FPU state. A clone that would make a new
	 * process (no CLONE_THREAD) gets ENOSYS. Unlike Linux, which ignores faults on the tid pointers, a bad one fails
	 * the call with EFAULT before any thread exists.
	 */
	static long clone(LinuxProcess p, GuestThread t, SyscallArgs a) {
		long flags = a.a0();
		long sharing = flags & ~CSIGNAL;
		if ((flags & CLONE_THREAD) != 0 && (flags & CLONE_SIGHAND) == 0
				|| (flags & CLONE_SIGHAND) != 0 && (flags & CLONE_VM) == 0) {
			return -Errno.EINVAL;
		}
		if ((flags & CLONE_THREAD) == 0) {
			return ProcessCreation.refuse(p, t, (flags & CLONE_VFORK) != 0 ? "clone with CLONE_VFORK (vfork, posix_spawn)"
					: "clone without CLONE_THREAD (fork)");
		}
		if ((sharing & ~THREAD_FLAGS) != 0) {
			return -Errno.EINVAL;
		}
		long tls = a.a4();
		if ((flags & CLONE_SETTLS) != 0 && Long.compareUnsigned(tls, TASK_SIZE_MAX) >= 0) {
			return -Errno.EPERM;
		}
		if (p.scheduler().atThreadLimit()) {
			p.note("thread limit of " + p.scheduler().maxThreads() + " live threads reached: clone failed with EAGAIN");
			return -Errno.EAGAIN;
		}
		long parentTid = a.a2();
		long childTid = a.a3();
		if ((flags & CLONE_PARENT_SETTID) != 0) {
			UserAccess.requireWritable(p.memory(), parentTid, 4);
		}
		if ((flags & CLONE_CHILD_SETTID) != 0) {
			UserAccess.requireWritable(p.memory(), childTid, 4);
		}
		Regs regs = t.regs().copy();
		regs.rax = 0;
		if (a.a1() != 0) {
			regs.rsp = a.a1();
		}
		long fs = (flags & CLONE_SETTLS) != 0 ? tls : t.fsBase();
		GuestThread child = p.scheduler().spawn(regs, p.cpu().extendedState(), fs);
		child.signalMask(t.signalMask());
		child.name(t.name());
		if ((flags & CLONE_CHILD_CLEARTID) != 0) {
			child.clearChildTid(childTid);
		}
		if ((flags & CLONE_PARENT_SETTID) != 0) {
			p.memory().writeU32(parentTid, child.tid());
		}
		if ((flags & CLONE_CHILD_SETTID) != 0) {
			p.memory().writeU32(childTid, child.tid());
		}
		return child.tid();
	}

	/**
	 * The end of one thread: walks its robust list (robust mutexes it still holds become FUTEX_OWNER_DIED, see
	 * {@link RobustList}), hands the PI futexes it owns to their waiters ({@link PiFutexCalls#exit}), clears and
	 * wakes its clear_child_tid word (how pthread_join learns of it), then leaves the scheduler. When it was the last thread, the process ends with the first thread's exit code.
	 */
	static void exitThread(LinuxProcess p, GuestThread t, int code) {
		RobustList.exit(p.memory(), p.scheduler(), t);
		PiFutexCalls.exit(p, t);
		long tidAddress = t.clearChildTid();
		if (tidAddress != 0) {
			try {
				p.memory().writeU32(tidAddress, 0);
				p.scheduler().wakeFutex(tidAddress, 1, FutexCalls.FUTEX_BITSET_MATCH_ANY);
			} catch (GuestFault f) {
				// Linux ignores a fault here too (the word may be unmapped already): nobody can wait on it.
				p.note("thread " + t.tid() + " exited with an unwritable clear_child_tid: " + f.getMessage());
			}
		}
		p.scheduler().exit(t, code);
		if (p.scheduler().liveCount() == 0) {
			p.exit(p.scheduler().leaderExitCode());
		}
	}

	private static long archPrctl(LinuxProcess p, GuestThread t, SyscallArgs a) {
		switch (a.intArg(0)) {
		case ARCH_SET_FS:
			if (Long.compareUnsigned(a.a1(), TASK_SIZE_MAX) >= 0) {
				return -Errno.EPERM;
			}
			t.fsBase(a.a1());
			return 0;
		case ARCH_GET_FS:
			p.memory().writeU64(a.a1(), t.fsBase());
			return 0;
		default:
			// GS base is not kept per thread (no libc uses it on x86-64); other codes are for features not emulated.
			return -Errno.EINVAL;
		}
	}
}
