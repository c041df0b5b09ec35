package org.insight.vmm.linux;

import java.nio.charset.StandardCharsets;

import org.insight.vmm.inputs.RandomRequest;
import org.insight.vmm.sched.GuestThread;

/**
 * The process room: identity (fixed values, the same in every run), uname, resource limits, CPU affinity (one CPU),
 * getrandom (from the inputs), and exit_group.
 */
final class ProcessCalls {
	static final int UTS_FIELD = 65;
	static final String[] UTSNAME = { "Linux", "insight", "6.1.0-insight", "#1 SMP PREEMPT_DYNAMIC InSight",
			"x86_64", "(none)" };
	/** getrandom returns at most this many bytes per call (Linux's limit is higher; callers loop either way). */
	static final int MAX_RANDOM = 1 << 20;
	static final int GRND_NONBLOCK = 1, GRND_RANDOM = 2, GRND_INSECURE = 4;

	private ProcessCalls() {
	}

	static void register(SyscallTable t) {
		t.register(Syscalls.GETPID, (p, th, a) -> p.pid());
		t.register(Syscalls.GETPPID, (p, th, a) -> LinuxProcess.PARENT_PID);
		t.register(Syscalls.GETUID, (p, th, a) -> LinuxProcess.UID);
		t.register(Syscalls.GETEUID, (p, th, a) -> LinuxProcess.UID);
		t.register(Syscalls.GETGID, (p, th, a) -> LinuxProcess.GID);
		t.register(Syscalls.GETEGID, (p, th, a) -> LinuxProcess.GID);
		t.register(Syscalls.GETPGRP, (p, th, a) -> p.pid());
		t.register(Syscalls.GETPGID, (p, th, a) -> isSelf(p, a.a0()) ? p.pid() : -Errno.ESRCH);
		t.register(Syscalls.GETSID, (p, th, a) -> isSelf(p, a.a0()) ? p.pid() : -Errno.ESRCH);
		t.register(Syscalls.GETGROUPS, (p, th, a) -> a.intArg(0) < 0 ? -Errno.EINVAL : 0);
		t.register(Syscalls.UNAME, (p, th, a) -> {
			p.memory().copyOut(a.a0(), utsname());
			return 0;
		});
		t.register(Syscalls.GETRLIMIT, (p, th, a) -> prlimit(p, 0, a.a0(), 0, a.a1()));
		t.register(Syscalls.SETRLIMIT, (p, th, a) -> prlimit(p, 0, a.a0(), a.a1(), 0));
		t.register(Syscalls.PRLIMIT64, (p, th, a) -> prlimit(p, a.a0(), a.a1(), a.a2(), a.a3()));
		t.register(Syscalls.SCHED_GETAFFINITY, ProcessCalls::getaffinity);
		t.register(Syscalls.SCHED_SETAFFINITY, ProcessCalls::setaffinity);
		t.register(Syscalls.GETRANDOM, ProcessCalls::getrandom);
		t.register(Syscalls.EXIT_GROUP, (p, th, a) -> {
			p.exit(a.intArg(0));
			return 0;
		});
	}

	private static boolean isSelf(LinuxProcess p, long pid) {
		return pid == 0 || pid == p.pid();
	}

	/** {@code struct utsname}: six NUL-padded fields of 65 bytes. */
	static byte[] utsname() {
		byte[] u = new byte[UTS_FIELD * UTSNAME.length];
		for (int i = 0; i < UTSNAME.length; i++) {
			byte[] f = UTSNAME[i].getBytes(StandardCharsets.US_ASCII);
			System.arraycopy(f, 0, u, i * UTS_FIELD, f.length);
		}
		return u;
	}

	/** prlimit64, and getrlimit/setrlimit through it: reads the new limit, writes the old one, then applies. */
	private static long prlimit(LinuxProcess p, long pid, long resource, long newLimit, long oldLimit) {
		if (!isThreadOrSelf(p, pid)) {
			return -Errno.ESRCH;
		}
		if (resource < 0 || resource >= LinuxProcess.RLIMIT_NLIMITS) {
			return -Errno.EINVAL;
		}
		int r = (int) resource;
		long soft = 0;
		long hard = 0;
		if (newLimit != 0) {
			soft = p.memory().readU64(newLimit);
			hard = p.memory().readU64(newLimit + 8);
			if (Long.compareUnsigned(soft, hard) > 0) {
				return -Errno.EINVAL;
			}
		}
		if (oldLimit != 0) {
			long[] old = p.limit(r);
			p.memory().writeU64(oldLimit, old[0]);
			p.memory().writeU64(oldLimit + 8, old[1]);
		}
		if (newLimit != 0) {
			p.limit(r, soft, hard);
		}
		return 0;
	}

	/** One CPU: the mask has bit 0, and the call returns the 8 bytes of a cpumask on a small machine. */
	private static long getaffinity(LinuxProcess p, GuestThread t, SyscallArgs a) {
		if (!isThreadOrSelf(p, a.a0())) {
			return -Errno.ESRCH;
		}
		long len = a.a1();
		if (len < 8 || (len & 7) != 0) {
			return -Errno.EINVAL;
		}
		p.memory().writeU64(a.a2(), 1);
		return 8;
	}

	private static long setaffinity(LinuxProcess p, GuestThread t, SyscallArgs a) {
		if (!isThreadOrSelf(p, a.a0())) {
			return -Errno.ESRCH;
		}
		if (a.a1() <= 0) {
			return -Errno.EINVAL;
		}
		return (p.memory().copyIn(a.a2(), 1)[0] & 1) != 0 ? 0 : -Errno.EINVAL;
	}

	private static boolean isThreadOrSelf(LinuxProcess p, long tid) {
		return tid == 0 || tid == p.pid() || tid > 0 && tid <= Integer.MAX_VALUE && p.scheduler().find((int) tid).isPresent();
	}

	private static long getrandom(LinuxProcess p, GuestThread t, SyscallArgs a) {
		int flags = a.intArg(2);
		if ((flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) != 0
				|| (flags & (GRND_RANDOM | GRND_INSECURE)) == (GRND_RANDOM | GRND_INSECURE)) {
			return -Errno.EINVAL;
		}
		int n = Long.compareUnsigned(a.a1(), MAX_RANDOM) > 0 ? MAX_RANDOM : (int) a.a1();
		if (n == 0) {
			return 0;
		}
		UserAccess.requireWritable(p.memory(), a.a0(), n);
		byte[] bytes = p.inputs().random(new RandomRequest(t.tid(), n, RandomRequest.Purpose.GETRANDOM));
		p.memory().copyOut(a.a0(), bytes, 0, n);
		return n;
	}
}
