package org.insight.vmm.linux;

import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.sched.GuestThread;

/**
 * alarm, setitimer and getitimer on ITIMER_REAL, the process's one interval timer ({@link LinuxProcess#realTimer}):
 * SIGALRM to the process at each expiry, on the guest's monotonic clock ({@link GuestTimers}). ITIMER_VIRTUAL and
 * ITIMER_PROF count the process's CPU time, which the VMM cannot measure the same way in a replay without a
 * performance counter: they answer ENOSYS, with a note in the run's report, rather than a timer that never fires.
 */
final class IntervalTimerCalls {
	static final int ITIMER_REAL = 0, ITIMER_VIRTUAL = 1, ITIMER_PROF = 2;
	private static final long MICROS = 1000, SECOND = 1_000_000_000L;

	private IntervalTimerCalls() {
	}

	static void register(SyscallTable t) {
		t.register(Syscalls.ALARM, IntervalTimerCalls::alarm);
		t.register(Syscalls.SETITIMER, IntervalTimerCalls::setitimer);
		t.register(Syscalls.GETITIMER, IntervalTimerCalls::getitimer);
	}

	/** alarm(seconds): arms ITIMER_REAL once (0 disarms) and returns the old one's seconds, rounded as Linux does. */
	private static long alarm(LinuxProcess p, GuestThread t, SyscallArgs a) {
		long seconds = a.a0() & 0xffff_ffffL;
		GuestTimers.Timer timer = p.realTimer();
		long now = p.scheduler().monotonicNow();
		long old = timer.remaining(now);
		if (seconds == 0) {
			timer.disarm();
		} else {
			timer.arm(TimeCalls.saturatedAdd(now, seconds * SECOND), 0);
		}
		// alarm_setitimer: an alarm still pending never reads as 0, and half a second or more rounds up
		long oldSeconds = old / SECOND, rest = old % SECOND;
		return oldSeconds == 0 && rest != 0 || rest >= SECOND / 2 ? oldSeconds + 1 : oldSeconds;
	}

	private static long setitimer(LinuxProcess p, GuestThread t, SyscallArgs a) {
		int which = a.intArg(0);
		if (which != ITIMER_REAL) {
			return cpuTimeTimer(p, which);
		}
		long interval = 0, value = 0;
		if (a.a1() != 0) {
			interval = TimeCalls.readTimeval(p.memory(), a.a1());
			value = TimeCalls.readTimeval(p.memory(), a.a1() + 16);
			if (interval < 0 || value < 0) {
				return -Errno.EINVAL;
			}
		}
		if (a.a2() != 0) {
			UserAccess.requireWritable(p.memory(), a.a2(), 32);
		}
		GuestTimers.Timer timer = p.realTimer();
		long now = p.scheduler().monotonicNow();
		if (a.a2() != 0) {
			write(p.memory(), a.a2(), timer, now);
		}
		if (value == 0) {
			timer.disarm();
		} else {
			timer.arm(TimeCalls.saturatedAdd(now, value), interval);
		}
		return 0;
	}

	private static long getitimer(LinuxProcess p, GuestThread t, SyscallArgs a) {
		int which = a.intArg(0);
		if (which != ITIMER_REAL) {
			return cpuTimeTimer(p, which);
		}
		UserAccess.requireWritable(p.memory(), a.a1(), 32);
		GuestTimers.Timer timer = p.realTimer();
		write(p.memory(), a.a1(), timer, timer.armed() ? p.scheduler().monotonicNow() : 0);
		return 0;
	}

	private static long cpuTimeTimer(LinuxProcess p, int which) {
		if (which != ITIMER_VIRTUAL && which != ITIMER_PROF) {
			return -Errno.EINVAL;
		}
		p.note((which == ITIMER_VIRTUAL ? "ITIMER_VIRTUAL" : "ITIMER_PROF") + " answered ENOSYS: a timer of the"
				+ " process's CPU time cannot be replayed at the same instruction without a performance counter");
		return -Errno.ENOSYS;
	}

	/** The timer as a struct itimerval: the interval, then the time left (at least 1 µs while armed, as Linux). */
	private static void write(AddressSpace m, long va, GuestTimers.Timer timer, long now) {
		long[] ns = { timer.interval(), timer.remaining(now) };
		for (int i = 0; i < 2; i++) {
			long us = i == 1 && timer.armed() ? Math.max(1, ns[i] / MICROS) : ns[i] / MICROS;
			m.writeU64(va + 16L * i, us / 1_000_000);
			m.writeU64(va + 16L * i + 8, us % 1_000_000);
		}
	}
}
