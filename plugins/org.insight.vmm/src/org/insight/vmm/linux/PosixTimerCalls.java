package org.insight.vmm.linux;

import static org.insight.vmm.inputs.ClockRead.CLOCK_BOOTTIME;
import static org.insight.vmm.inputs.ClockRead.CLOCK_BOOTTIME_ALARM;
import static org.insight.vmm.inputs.ClockRead.CLOCK_MONOTONIC;
import static org.insight.vmm.inputs.ClockRead.CLOCK_REALTIME;
import static org.insight.vmm.inputs.ClockRead.CLOCK_REALTIME_ALARM;

import java.util.TreeMap;

import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.sched.GuestThread;

/**
 * timer_create, timer_settime, timer_gettime, timer_getoverrun and timer_delete: POSIX timers on the realtime,
 * monotonic and boot-time clocks, whose expiries ({@link GuestTimers}) send a signal with SI_TIMER to the process
 * (SIGEV_SIGNAL) or to one thread (SIGEV_THREAD_ID, which glibc's and musl's SIGEV_THREAD timers use under the hood),
 * or nothing (SIGEV_NONE). Ids count up from 0 as Linux's do. An expiry whose signal is still pending adds to the
 * overrun instead of queueing it again; the signal carries the overrun so far, which timer_getoverrun then answers.
 * An absolute realtime deadline is converted to the monotonic clock when the timer is set (a later change of the wall
 * clock is not followed; the guest cannot change it). Timers on a CPU-time clock answer ENOSYS with a note, as
 * ITIMER_PROF does ({@link IntervalTimerCalls}).
 */
final class PosixTimerCalls {
	static final int SIGEV_SIGNAL = 0, SIGEV_NONE = 1, SIGEV_THREAD_ID = 4;
	static final int SI_TIMER = -2, TIMER_ABSTIME = 1;

	/** The process's POSIX timers. */
	static final class Table {
		private final TreeMap<Integer, PosixTimer> byId = new TreeMap<>();
		private int nextId;
	}

	private static final class PosixTimer {
		final int id, clock, notify, signal, tid;
		final long value;
		GuestTimers.Timer timer;
		/** Expiries since the last signal was queued, and the overrun that signal carried. */
		long overrun, overrunLast;

		PosixTimer(int id, int clock, int notify, int signal, int tid, long value) {
			this.id = id;
			this.clock = clock;
			this.notify = notify;
			this.signal = signal;
			this.tid = tid;
			this.value = value;
		}
	}

	private PosixTimerCalls() {
	}

	static void register(SyscallTable t) {
		t.register(Syscalls.TIMER_CREATE, PosixTimerCalls::create);
		t.register(Syscalls.TIMER_SETTIME, PosixTimerCalls::settime);
		t.register(Syscalls.TIMER_GETTIME, PosixTimerCalls::gettime);
		t.register(Syscalls.TIMER_GETOVERRUN, (p, th, a) -> {
			PosixTimer timer = p.posixTimers().byId.get(a.intArg(0));
			return timer == null ? -Errno.EINVAL : Math.min(timer.overrunLast, Integer.MAX_VALUE);
		});
		t.register(Syscalls.TIMER_DELETE, (p, th, a) -> {
			PosixTimer timer = p.posixTimers().byId.remove(a.intArg(0));
			if (timer == null) {
				return -Errno.EINVAL;
			}
			p.timers().delete(timer.timer);
			return 0;
		});
	}

	/** Whether {@code clock} has timers here (and in timerfd_create): the wall, monotonic and boot-time clocks. */
	static boolean timerClock(int clock) {
		return clock == CLOCK_REALTIME || clock == CLOCK_MONOTONIC || clock == CLOCK_BOOTTIME
				|| clock == CLOCK_REALTIME_ALARM || clock == CLOCK_BOOTTIME_ALARM;
	}

	private static long create(LinuxProcess p, GuestThread t, SyscallArgs a) {
		int clock = a.intArg(0);
		if (!timerClock(clock)) {
			if (clock < 0 || clock == 2 || clock == 3) { // a CPU-time clock: CLOCK_PROCESS/THREAD_CPUTIME_ID, a pid's
				p.note("timer_create on a CPU-time clock answered ENOSYS: the process's CPU time cannot be replayed at"
						+ " the same instruction without a performance counter");
				return -Errno.ENOSYS;
			}
			return -Errno.EINVAL;
		}
		Table table = p.posixTimers();
		int id = table.nextId;
		int notify = SIGEV_SIGNAL, signal = Signals.SIGALRM, tid = 0;
		long value = id;
		AddressSpace m = p.memory();
		if (a.a1() != 0) { // struct sigevent: sigev_value, sigev_signo, sigev_notify, then sigev_notify_thread_id
			value = m.readU64(a.a1());
			signal = m.readU32(a.a1() + 8);
			notify = m.readU32(a.a1() + 12);
			tid = m.readU32(a.a1() + 16);
			if (notify != SIGEV_SIGNAL && notify != SIGEV_NONE && notify != SIGEV_THREAD_ID
					|| notify != SIGEV_NONE && (signal < 1 || signal > Signals.MAX)
					|| notify == SIGEV_THREAD_ID && p.scheduler().find(tid).isEmpty()) {
				return -Errno.EINVAL;
			}
		}
		UserAccess.requireWritable(m, a.a2(), 4);
		PosixTimer timer = new PosixTimer(id, clock, notify, signal, tid, value);
		timer.timer = p.timers().create(periods -> expired(p, timer, periods));
		if (timer.timer == null) {
			return -Errno.EAGAIN;
		}
		m.writeU32(a.a2(), id);
		table.byId.put(id, timer);
		table.nextId = id == Integer.MAX_VALUE ? 0 : id + 1;
		return 0;
	}

	private static void expired(LinuxProcess p, PosixTimer timer, long periods) {
		if (timer.notify == SIGEV_NONE) {
			return;
		}
		GuestThread target = timer.notify == SIGEV_THREAD_ID ? p.scheduler().find(timer.tid).orElse(null) : null;
		if (timer.notify == SIGEV_THREAD_ID && target == null) {
			return; // its thread has exited: Linux's send_sigqueue finds no task
		}
		PendingSignals queue = target == null ? p.pending().shared() : p.pending().of(target);
		timer.overrun += periods - 1;
		if ((queue.mask() & SignalCalls.bit(timer.signal)) != 0) {
			timer.overrun++; // its last signal is still pending: Linux counts an overrun instead of a second one
			return;
		}
		timer.overrunLast = timer.overrun;
		timer.overrun = 0;
		byte[] info = new byte[SignalFrame.SIGINFO_SIZE];
		SignalFrame.putInt(info, 0, timer.signal);
		SignalFrame.putInt(info, 8, SI_TIMER);
		SignalFrame.putInt(info, 16, timer.id);
		SignalFrame.putInt(info, 20, (int) Math.min(timer.overrunLast, Integer.MAX_VALUE));
		SignalFrame.putLong(info, 24, timer.value);
		p.raise(timer.signal, target, Signals.name(timer.signal) + " from POSIX timer " + timer.id, info);
	}

	private static long settime(LinuxProcess p, GuestThread t, SyscallArgs a) {
		PosixTimer timer = p.posixTimers().byId.get(a.intArg(0));
		if (timer == null) {
			return -Errno.EINVAL;
		}
		return set(p, timer.timer, timer.clock, (a.intArg(1) & TIMER_ABSTIME) != 0, a.a2(), a.a3());
	}

	private static long gettime(LinuxProcess p, GuestThread t, SyscallArgs a) {
		PosixTimer timer = p.posixTimers().byId.get(a.intArg(0));
		if (timer == null) {
			return -Errno.EINVAL;
		}
		UserAccess.requireWritable(p.memory(), a.a1(), 32);
		write(p.memory(), a.a1(), timer.timer, timer.timer.armed() ? p.scheduler().monotonicNow() : 0);
		return 0;
	}

	/**
	 * timer_settime and timerfd_settime: arms {@code timer} from the struct itimerspec at {@code newValue} (an interval,
	 * then the first expiry, relative or absolute on {@code clock}; a zero first expiry disarms) and writes the old
	 * setting to {@code oldValue} if it is not 0.
	 */
	static long set(LinuxProcess p, GuestTimers.Timer timer, int clock, boolean absolute, long newValue, long oldValue) {
		AddressSpace m = p.memory();
		long interval = TimeCalls.readTimespec(m, newValue);
		long first = TimeCalls.readTimespec(m, newValue + 16);
		if (interval < 0 || first < 0) {
			return -Errno.EINVAL;
		}
		if (oldValue != 0) {
			UserAccess.requireWritable(m, oldValue, 32);
		}
		long now = timer.armed() || first != 0 && !absolute ? p.scheduler().monotonicNow() : 0;
		if (oldValue != 0) {
			write(m, oldValue, timer, now);
		}
		if (first == 0) {
			timer.disarm();
		} else {
			timer.arm(absolute ? TimeCalls.monotonicDeadline(p, clock, first) : TimeCalls.saturatedAdd(now, first),
					interval);
		}
		return 0;
	}

	/** The timer as a struct itimerspec: the interval, then the time left. */
	static void write(AddressSpace m, long va, GuestTimers.Timer timer, long now) {
		TimeCalls.writeTimespec(m, va, timer.interval());
		TimeCalls.writeTimespec(m, va + 16, timer.remaining(now));
	}
}
