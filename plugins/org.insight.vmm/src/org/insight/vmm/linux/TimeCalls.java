package org.insight.vmm.linux;

import static org.insight.vmm.inputs.ClockRead.CLOCK_BOOTTIME;
import static org.insight.vmm.inputs.ClockRead.CLOCK_BOOTTIME_ALARM;
import static org.insight.vmm.inputs.ClockRead.CLOCK_MONOTONIC;
import static org.insight.vmm.inputs.ClockRead.CLOCK_MONOTONIC_COARSE;
import static org.insight.vmm.inputs.ClockRead.CLOCK_MONOTONIC_RAW;
import static org.insight.vmm.inputs.ClockRead.CLOCK_PROCESS_CPUTIME_ID;
import static org.insight.vmm.inputs.ClockRead.CLOCK_REALTIME;
import static org.insight.vmm.inputs.ClockRead.CLOCK_REALTIME_ALARM;
import static org.insight.vmm.inputs.ClockRead.CLOCK_REALTIME_COARSE;
import static org.insight.vmm.inputs.ClockRead.CLOCK_TAI;
import static org.insight.vmm.inputs.ClockRead.CLOCK_THREAD_CPUTIME_ID;

import java.util.function.LongSupplier;

import org.insight.vmm.inputs.ClockRead;
import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.sched.GuestThread;

/**
 * The time room. Every clock value comes from the inputs; sleeps become deadlines on the guest's CLOCK_MONOTONIC
 * that the scheduler enforces.
 */
final class TimeCalls {
	static final long NANOS = 1_000_000_000L;
	static final int TIMER_ABSTIME = 1;
	/** Resolution of the coarse clocks: one tick at HZ=250. */
	static final long COARSE_RESOLUTION = 4_000_000L;

	private TimeCalls() {
	}

	static void register(SyscallTable t) {
		t.register(Syscalls.CLOCK_GETTIME, TimeCalls::clockGettime);
		t.register(Syscalls.CLOCK_GETRES, TimeCalls::clockGetres);
		t.register(Syscalls.GETTIMEOFDAY, TimeCalls::gettimeofday);
		t.register(Syscalls.TIME, TimeCalls::time);
		t.register(Syscalls.NANOSLEEP, TimeCalls::nanosleep);
		t.register(Syscalls.CLOCK_NANOSLEEP, TimeCalls::clockNanosleep);
	}

	/** The clock ids clock_gettime knows (10, CLOCK_SGI_CYCLE, is gone; negative ids name CPU clocks, unsupported). */
	static boolean isClock(long id) {
		return id >= CLOCK_REALTIME && id <= CLOCK_TAI && id != 10;
	}

	/** A recorded read of {@code clock} by thread {@code t}, for a syscall. */
	static long read(LinuxProcess p, GuestThread t, int clock) {
		return p.inputs().clockNanos(new ClockRead(t.tid(), clock, ClockRead.Purpose.SYSCALL));
	}

	private static long clockGettime(LinuxProcess p, GuestThread t, SyscallArgs a) {
		if (!isClock(a.a0())) {
			return -Errno.EINVAL;
		}
		writeTimespec(p.memory(), a.a1(), read(p, t, (int) a.a0()));
		return 0;
	}

	private static long clockGetres(LinuxProcess p, GuestThread t, SyscallArgs a) {
		if (!isClock(a.a0())) {
			return -Errno.EINVAL;
		}
		if (a.a1() != 0) {
			long res = a.a0() == CLOCK_REALTIME_COARSE || a.a0() == CLOCK_MONOTONIC_COARSE ? COARSE_RESOLUTION : 1;
			writeTimespec(p.memory(), a.a1(), res);
		}
		return 0;
	}

	private static long gettimeofday(LinuxProcess p, GuestThread t, SyscallArgs a) {
		if (a.a0() != 0) {
			long now = read(p, t, CLOCK_REALTIME);
			p.memory().writeU64(a.a0(), Math.floorDiv(now, NANOS));
			p.memory().writeU64(a.a0() + 8, Math.floorMod(now, NANOS) / 1000);
		}
		if (a.a1() != 0) {
			p.memory().writeU64(a.a1(), 0); // struct timezone: minutes west 0, no DST
		}
		return 0;
	}

	private static long time(LinuxProcess p, GuestThread t, SyscallArgs a) {
		long seconds = Math.floorDiv(read(p, t, CLOCK_REALTIME), NANOS);
		if (a.a0() != 0) {
			p.memory().writeU64(a.a0(), seconds);
		}
		return seconds;
	}

	private static long nanosleep(LinuxProcess p, GuestThread t, SyscallArgs a) {
		long duration = readTimespec(p.memory(), a.a0());
		if (duration < 0) {
			return -Errno.EINVAL;
		}
		return sleepFor(p, t, duration);
	}

	private static long clockNanosleep(LinuxProcess p, GuestThread t, SyscallArgs a) {
		long clock = a.a0();
		if (clock == CLOCK_THREAD_CPUTIME_ID || !isClock(clock)) {
			return -Errno.EINVAL;
		}
		if (clock == CLOCK_PROCESS_CPUTIME_ID || clock == CLOCK_MONOTONIC_RAW || clock == CLOCK_REALTIME_COARSE
				|| clock == CLOCK_MONOTONIC_COARSE) {
			return -Errno.EOPNOTSUPP;
		}
		long request = readTimespec(p.memory(), a.a2());
		if (request < 0) {
			return -Errno.EINVAL;
		}
		if ((a.intArg(1) & TIMER_ABSTIME) == 0) {
			return sleepFor(p, t, request);
		}
		long deadline = monotonicDeadline(p, (int) clock, request);
		if (deadline <= p.scheduler().monotonicNow()) {
			return 0;
		}
		p.scheduler().sleep(t, deadline);
		return 0;
	}

	/** A relative sleep; a zero one yields, as the kernel reschedules on it. */
	private static long sleepFor(LinuxProcess p, GuestThread t, long duration) {
		if (duration == 0) {
			p.scheduler().yield(t);
			return 0;
		}
		p.scheduler().sleep(t, saturatedAdd(p.scheduler().monotonicNow(), duration));
		return 0;
	}

	/**
	 * An absolute time on {@code clock} as a deadline on the guest's monotonic clock: monotonic clocks are taken as
	 * they are, others are converted through one read of each clock (a later change of the wall clock is not
	 * followed).
	 */
	static long monotonicDeadline(LinuxProcess p, int clock, long absolute) {
		if (clock == CLOCK_MONOTONIC || clock == CLOCK_BOOTTIME || clock == CLOCK_BOOTTIME_ALARM) {
			return absolute;
		}
		int source = clock == CLOCK_REALTIME_ALARM ? CLOCK_REALTIME : clock;
		long now = p.scheduler().clockNow(source);
		long mono = p.scheduler().monotonicNow();
		return saturatedAdd(mono, absolute - now);
	}

	static long saturatedAdd(long a, long b) {
		long r = a + b;
		if (((a ^ r) & (b ^ r)) < 0) {
			return b > 0 ? GuestThread.NO_DEADLINE - 1 : Long.MIN_VALUE;
		}
		return Math.min(r, GuestThread.NO_DEADLINE - 1);
	}

	/**
	 * The deadline of a wait of {@code ns} on the guest's monotonic clock, read only when the thread blocks (the
	 * read is an input); none for a negative {@code ns}.
	 */
	static LongSupplier deadlineIn(LinuxProcess p, long ns) {
		return ns < 0 ? () -> GuestThread.NO_DEADLINE : () -> saturatedAdd(p.scheduler().monotonicNow(), ns);
	}

	/** A {@code struct timeval} as nanoseconds, or -1 when it is invalid (negative, or tv_usec out of range). */
	static long readTimeval(AddressSpace memory, long va) {
		long sec = memory.readU64(va);
		long usec = memory.readU64(va + 8);
		if (sec < 0 || usec < 0 || usec >= 1_000_000) {
			return -1;
		}
		if (sec > (Long.MAX_VALUE - usec * 1000) / NANOS) {
			return Long.MAX_VALUE - 1;
		}
		return sec * NANOS + usec * 1000;
	}

	/** A {@code struct timespec} as nanoseconds, or -1 when it is invalid (negative, or tv_nsec out of range). */
	static long readTimespec(AddressSpace memory, long va) {
		long sec = memory.readU64(va);
		long nsec = memory.readU64(va + 8);
		if (sec < 0 || nsec < 0 || nsec >= NANOS) {
			return -1;
		}
		if (sec > (Long.MAX_VALUE - nsec) / NANOS) {
			return Long.MAX_VALUE - 1;
		}
		return sec * NANOS + nsec;
	}

	static void writeTimespec(AddressSpace memory, long va, long nanos) {
		memory.writeU64(va, Math.floorDiv(nanos, NANOS));
		memory.writeU64(va + 8, Math.floorMod(nanos, NANOS));
	}
}
