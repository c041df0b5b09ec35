package org.insight.vmm.linux;

import java.util.IdentityHashMap;
import java.util.Map;

import org.insight.vmm.linux.fd.EventFd;
import org.insight.vmm.linux.fd.OpenFile;
import org.insight.vmm.sched.GuestThread;

/**
 * timerfd_create, timerfd_settime and timerfd_gettime: a timer ({@link GuestTimers}) whose expirations count up in a
 * descriptor ({@link EventFd#timerFd}) that read, poll, select and epoll see as they see an eventfd, so a blocked
 * reader or poller wakes where the timer expires. Setting the timer starts the count over; closing the last
 * descriptor deletes the timer. TFD_TIMER_CANCEL_ON_SET is accepted and never cancels (the guest cannot set the
 * wall clock).
 */
final class TimerFdCalls {
	static final int TFD_TIMER_ABSTIME = 1, TFD_TIMER_CANCEL_ON_SET = 2;

	/** The process's timerfds, each with its clock and timer. */
	static final class Table {
		private final Map<EventFd, TimerFd> byFile = new IdentityHashMap<>();
	}

	private record TimerFd(int clock, GuestTimers.Timer timer) {
	}

	private TimerFdCalls() {
	}

	static void register(SyscallTable t) {
		t.register(Syscalls.TIMERFD_CREATE, TimerFdCalls::create);
		t.register(Syscalls.TIMERFD_SETTIME, TimerFdCalls::settime);
		t.register(Syscalls.TIMERFD_GETTIME, TimerFdCalls::gettime);
	}

	private static long create(LinuxProcess p, GuestThread t, SyscallArgs a) {
		int clock = a.intArg(0), flags = a.intArg(1);
		if ((flags & ~(OpenFile.O_NONBLOCK | OpenFile.O_CLOEXEC)) != 0) {
			return -Errno.EINVAL;
		}
		if (!PosixTimerCalls.timerClock(clock)) {
			return -Errno.EINVAL;
		}
		Table table = p.timerFds();
		EventFd[] file = new EventFd[1];
		GuestTimers.Timer timer = p.timers().create(periods -> {
			EventFd e = file[0];
			long room = EventFd.MAX - e.count(); // unsigned
			e.add(Long.compareUnsigned(periods, room) < 0 ? periods : room);
			e.waiters().touch();
			BlockedCall.retryWaiters(e.waiters());
		});
		if (timer == null) {
			return -Errno.ENOMEM;
		}
		file[0] = EventFd.timerFd(p.nextObjectId(), flags, () -> {
			table.byFile.remove(file[0]);
			p.timers().delete(timer);
		});
		int fd = p.fds().allocate(file[0], 0, p.fdLimit(), (flags & OpenFile.O_CLOEXEC) != 0);
		if (fd < 0) {
			p.timers().delete(timer);
			return -Errno.EMFILE;
		}
		table.byFile.put(file[0], new TimerFd(clock, timer));
		return fd;
	}

	/** The timerfd behind descriptor {@code fd}; null with {@code error[0]} set (EBADF, or EINVAL for another file). */
	private static TimerFd of(LinuxProcess p, long fd, long[] error) {
		OpenFile f = p.fds().get(fd);
		TimerFd t = f instanceof EventFd e ? p.timerFds().byFile.get(e) : null;
		error[0] = f == null ? -Errno.EBADF : -Errno.EINVAL;
		return t;
	}

	private static long settime(LinuxProcess p, GuestThread t, SyscallArgs a) {
		long[] error = new long[1];
		TimerFd tfd = of(p, a.a0(), error);
		if (tfd == null) {
			return error[0];
		}
		int flags = a.intArg(1);
		if ((flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) != 0) {
			return -Errno.EINVAL;
		}
		long r = PosixTimerCalls.set(p, tfd.timer(), tfd.clock(), (flags & TFD_TIMER_ABSTIME) != 0, a.a2(), a.a3());
		if (r == 0) {
			((EventFd) p.fds().get(a.a0())).clear();
		}
		return r;
	}

	private static long gettime(LinuxProcess p, GuestThread t, SyscallArgs a) {
		long[] error = new long[1];
		TimerFd tfd = of(p, a.a0(), error);
		if (tfd == null) {
			return error[0];
		}
		UserAccess.requireWritable(p.memory(), a.a1(), 32);
		PosixTimerCalls.write(p.memory(), a.a1(), tfd.timer(), tfd.timer().armed() ? p.scheduler().monotonicNow() : 0);
		return 0;
	}
}
