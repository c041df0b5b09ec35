package org.insight.vmm.linux;

import org.insight.vmm.inputs.ClockRead;
import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.memory.GuestFault;
import org.insight.vmm.sched.GuestThread;

/**
 * What a program asks about itself and the system: sysinfo, getrusage, times, prctl's thread name, and the scheduling
 * policy calls. Every answer is deterministic (the machine's own memory, threads and the one scheduler) or comes from
 * a recorded clock read: uptime and elapsed ticks from CLOCK_BOOTTIME, CPU time from CLOCK_PROCESS_CPUTIME_ID, so a
 * replay answers the same. The guest is alone on its one vCPU: loads are 0, there is no swap, and the policy is
 * SCHED_OTHER at priority 0 (a real-time policy is EPERM, as for an unprivileged process).
 */
final class SystemInfoCalls {
	static final int RUSAGE_SELF = 0, RUSAGE_CHILDREN = -1, RUSAGE_THREAD = 1;
	static final int PR_SET_PDEATHSIG = 1, PR_GET_PDEATHSIG = 2, PR_GET_DUMPABLE = 3, PR_SET_DUMPABLE = 4,
			PR_SET_NAME = 15, PR_GET_NAME = 16;
	static final int SCHED_OTHER = 0, SCHED_FIFO = 1, SCHED_RR = 2, SCHED_BATCH = 3, SCHED_IDLE = 5;
	/** USER_HZ: the unit of times() and of struct tms. */
	static final long TICKS_PER_SECOND = 100;
	static final int TASK_COMM_LEN = 16;
	static final int SIZEOF_SYSINFO = 112, SIZEOF_RUSAGE = 144, SIZEOF_TMS = 32;

	private SystemInfoCalls() {
	}

	static void register(SyscallTable t) {
		t.register(Syscalls.SYSINFO, SystemInfoCalls::sysinfo);
		t.register(Syscalls.GETRUSAGE, SystemInfoCalls::getrusage);
		t.register(Syscalls.TIMES, SystemInfoCalls::times);
		t.register(Syscalls.PRCTL, SystemInfoCalls::prctl);
		t.register(Syscalls.SCHED_GETSCHEDULER, (p, th, a) -> self(p, th, a.a0()) ? SCHED_OTHER : -Errno.ESRCH);
		t.register(Syscalls.SCHED_GETPARAM, (p, th, a) -> {
			if (a.intArg(0) < 0 || a.a1() == 0) {
				return -Errno.EINVAL;
			}
			if (!self(p, th, a.a0())) {
				return -Errno.ESRCH;
			}
			UserAccess.requireWritable(p.memory(), a.a1(), 4);
			p.memory().writeU32(a.a1(), 0); // sched_priority
			return 0;
		});
		t.register(Syscalls.SCHED_SETSCHEDULER, (p, th, a) -> setScheduler(p, th, a.a0(), a.intArg(1), a.a2()));
		t.register(Syscalls.SCHED_SETPARAM, (p, th, a) -> setScheduler(p, th, a.a0(), SCHED_OTHER, a.a1()));
		t.register(Syscalls.SCHED_GET_PRIORITY_MAX, (p, th, a) -> priorityBound(a.intArg(0), 99));
		t.register(Syscalls.SCHED_GET_PRIORITY_MIN, (p, th, a) -> priorityBound(a.intArg(0), 1));
	}

	/** pid 0, the process, or one of its threads (the scheduling calls name a thread). */
	private static boolean self(LinuxProcess p, GuestThread t, long pid) {
		return pid == 0 || pid == p.pid() || pid > 0 && pid <= Integer.MAX_VALUE
				&& p.scheduler().find((int) pid).isPresent();
	}

	private static long priorityBound(int policy, long realTime) {
		return switch (policy) {
		case SCHED_FIFO, SCHED_RR -> realTime;
		case SCHED_OTHER, SCHED_BATCH, SCHED_IDLE -> 0;
		default -> -Errno.EINVAL;
		};
	}

	private static long setScheduler(LinuxProcess p, GuestThread t, long pid, int policy, long param) {
		int base = policy & ~0x4000_0000; // SCHED_RESET_ON_FORK
		if (pid < 0 || param == 0 || priorityBound(base, 0) < 0) {
			return -Errno.EINVAL;
		}
		if (!self(p, t, pid)) {
			return -Errno.ESRCH;
		}
		int priority = p.memory().readU32(param);
		if (base == SCHED_FIFO || base == SCHED_RR) {
			return priority < 1 || priority > 99 ? -Errno.EINVAL : -Errno.EPERM;
		}
		return priority != 0 ? -Errno.EINVAL : 0;
	}

	private static long sysinfo(LinuxProcess p, GuestThread t, SyscallArgs a) {
		AddressSpace m = p.memory();
		UserAccess.requireWritable(m, a.a0(), SIZEOF_SYSINFO);
		long uptime = TimeCalls.read(p, t, ClockRead.CLOCK_BOOTTIME) / TimeCalls.NANOS;
		byte[] zero = new byte[SIZEOF_SYSINFO];
		m.copyOut(a.a0(), zero);
		m.writeU64(a.a0(), uptime);
		m.writeU64(a.a0() + 32, m.memoryCapBytes()); // totalram
		m.writeU64(a.a0() + 40, Math.max(0, m.memoryCapBytes() - m.usedBytes())); // freeram
		int procs = Math.min(p.scheduler().liveCount(), 0xffff);
		m.copyOut(a.a0() + 80, new byte[] { (byte) procs, (byte) (procs >> 8) });
		m.writeU32(a.a0() + 104, 1); // mem_unit
		return 0;
	}

	private static long getrusage(LinuxProcess p, GuestThread t, SyscallArgs a) {
		int who = a.intArg(0);
		if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN && who != RUSAGE_THREAD) {
			return -Errno.EINVAL;
		}
		AddressSpace m = p.memory();
		UserAccess.requireWritable(m, a.a1(), SIZEOF_RUSAGE);
		m.copyOut(a.a1(), new byte[SIZEOF_RUSAGE]);
		if (who == RUSAGE_CHILDREN) {
			return 0; // no child ever ran
		}
		// the guest's CPU time is the process clock (for a thread too: the VMM does not split it); no system time
		long cpu = TimeCalls.read(p, t, ClockRead.CLOCK_PROCESS_CPUTIME_ID);
		m.writeU64(a.a1(), cpu / TimeCalls.NANOS);
		m.writeU64(a.a1() + 8, cpu % TimeCalls.NANOS / 1000);
		m.writeU64(a.a1() + 32, m.peakBytes() / 1024); // ru_maxrss, KiB
		return 0;
	}

	private static long times(LinuxProcess p, GuestThread t, SyscallArgs a) {
		long perTick = TimeCalls.NANOS / TICKS_PER_SECOND;
		if (a.a0() != 0) {
			AddressSpace m = p.memory();
			UserAccess.requireWritable(m, a.a0(), SIZEOF_TMS);
			m.copyOut(a.a0(), new byte[SIZEOF_TMS]);
			m.writeU64(a.a0(), TimeCalls.read(p, t, ClockRead.CLOCK_PROCESS_CPUTIME_ID) / perTick); // tms_utime
		}
		return TimeCalls.read(p, t, ClockRead.CLOCK_BOOTTIME) / perTick;
	}

	private static long prctl(LinuxProcess p, GuestThread t, SyscallArgs a) {
		switch (a.intArg(0)) {
		case PR_SET_NAME -> {
			t.name(readName(p.memory(), a.a1()));
			return 0;
		}
		case PR_GET_NAME -> {
			UserAccess.requireWritable(p.memory(), a.a1(), TASK_COMM_LEN);
			byte[] out = new byte[TASK_COMM_LEN];
			byte[] name = t.name() != null ? t.name() : executableName(p);
			System.arraycopy(name, 0, out, 0, name.length);
			p.memory().copyOut(a.a1(), out);
			return 0;
		}
		case PR_GET_DUMPABLE -> {
			return 1;
		}
		case PR_SET_DUMPABLE -> {
			return a.a1() == 0 || a.a1() == 1 ? 0 : -Errno.EINVAL;
		}
		case PR_SET_PDEATHSIG -> {
			return a.a1() >= 0 && a.a1() <= Signals.MAX ? 0 : -Errno.EINVAL; // the parent never dies first
		}
		case PR_GET_PDEATHSIG -> {
			UserAccess.requireWritable(p.memory(), a.a1(), 4);
			p.memory().writeU32(a.a1(), 0);
			return 0;
		}
		default -> {
			return -Errno.EINVAL;
		}
		}
	}

	/** Linux's comm of a process that never named a thread: the executable's file name, cut to 15 bytes. */
	private static byte[] executableName(LinuxProcess p) {
		String path = p.executablePath();
		byte[] b = path.substring(path.lastIndexOf('/') + 1).getBytes(java.nio.charset.StandardCharsets.UTF_8);
		return java.util.Arrays.copyOf(b, Math.min(b.length, TASK_COMM_LEN - 1));
	}

	/** Up to 15 bytes before a NUL, as Linux's strncpy_from_user into comm: a fault after the first byte ends it. */
	private static byte[] readName(AddressSpace m, long va) {
		byte[] name = new byte[TASK_COMM_LEN - 1];
		byte[] one = new byte[1];
		int n = 0;
		for (; n < name.length; n++) {
			try {
				m.copyIn(va + n, one, 0, 1);
			} catch (GuestFault e) {
				if (n == 0) {
					throw e;
				}
				break;
			}
			if (one[0] == 0) {
				break;
			}
			name[n] = one[0];
		}
		return java.util.Arrays.copyOf(name, n);
	}
}
