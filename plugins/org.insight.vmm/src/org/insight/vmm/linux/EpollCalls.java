package org.insight.vmm.linux;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.LongSupplier;

import org.insight.vmm.linux.fd.Epoll;
import org.insight.vmm.linux.fd.OpenFile;
import org.insight.vmm.linux.fd.WaitList;
import org.insight.vmm.sched.GuestThread;
import org.insight.vmm.sched.IoWait;

/**
 * epoll_create, epoll_create1, epoll_ctl, epoll_wait, epoll_pwait and epoll_pwait2 over pipes, eventfds and the
 * standard streams, on {@link PollCalls}' readiness. Level-triggered, with EPOLLONESHOT; EPOLLET is accepted and
 * served level-triggered (a program written for edge triggering reads until EAGAIN, so it sees the same data; it may
 * only be told about a ready file again). Events are reported in the order the files were added, the same in every
 * run. An epoll inside an epoll is EINVAL (Linux allows it, with loop checks). Waits are {@link BlockedCall}s on every
 * watched file's wait list and the epoll's own, which epoll_ctl retries. epoll_pwait and epoll_pwait2 wait under
 * their signal mask ({@link TemporaryMask}); a signal ends an epoll wait with EINTR, never a restart, as in Linux.
 */
final class EpollCalls {
	static final int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
	static final int EPOLLEXCLUSIVE = 1 << 28, EPOLLWAKEUP = 1 << 29, EPOLLONESHOT = 1 << 30, EPOLLET = 1 << 31;
	/** struct epoll_event is packed on x86-64: u32 events, u64 data. */
	static final int EVENT_SIZE = 12;

	private EpollCalls() {
	}

	static void register(SyscallTable t) {
		t.register(Syscalls.EPOLL_CREATE, (p, th, a) -> a.intArg(0) <= 0 ? -Errno.EINVAL : create(p, 0));
		t.register(Syscalls.EPOLL_CREATE1, (p, th, a) -> create(p, a.intArg(0)));
		t.register(Syscalls.EPOLL_CTL, EpollCalls::ctl);
		t.register(Syscalls.EPOLL_WAIT, (p, th, a) -> waitMillis(p, th, a, a.intArg(3)));
		t.register(Syscalls.EPOLL_PWAIT, (p, th, a) -> {
			long masked = TemporaryMask.install(p, th, a.a4(), a.a5());
			return masked != 0 ? masked : waitMillis(p, th, a, a.intArg(3));
		});
		t.register(Syscalls.EPOLL_PWAIT2, EpollCalls::pwait2);
	}

	private static long create(LinuxProcess p, int flags) {
		if ((flags & ~OpenFile.O_CLOEXEC) != 0) {
			return -Errno.EINVAL;
		}
		int fd = p.fds().allocate(new Epoll(p.nextObjectId(), 0), 0, p.fdLimit(), flags != 0);
		return fd < 0 ? -Errno.EMFILE : fd;
	}

	private static long ctl(LinuxProcess p, GuestThread t, SyscallArgs a) {
		int op = a.intArg(1), fd = a.intArg(2);
		int events = 0;
		long data = 0;
		if (op != EPOLL_CTL_DEL) {
			events = p.memory().readU32(a.a3());
			data = p.memory().readU64(a.a3() + 4);
		}
		OpenFile ef = p.fds().get(a.intArg(0));
		OpenFile file = p.fds().get(fd);
		if (ef == null || file == null) {
			return -Errno.EBADF;
		}
		if (!(ef instanceof Epoll ep) || file == ef || file instanceof Epoll) {
			return -Errno.EINVAL;
		}
		Epoll.Interest existing = ep.find(fd);
		switch (op) {
		case EPOLL_CTL_ADD:
			if (existing != null) {
				return -Errno.EEXIST;
			}
			ep.add(fd, file, events, data);
			for (GuestThread w : ep.waiters().snapshot()) {
				if (w.ioWait() instanceof BlockedCall call && file.waiters() != null) {
					call.join(file.waiters());
				}
			}
			break;
		case EPOLL_CTL_MOD:
			if (existing == null) {
				return -Errno.ENOENT;
			}
			if ((events & EPOLLEXCLUSIVE) != 0) {
				return -Errno.EINVAL;
			}
			ep.modify(existing, events, data);
			break;
		case EPOLL_CTL_DEL:
			if (existing == null) {
				return -Errno.ENOENT;
			}
			ep.remove(fd);
			break;
		default:
			return -Errno.EINVAL;
		}
		ep.waiters().touch();
		BlockedCall.retryWaiters(ep.waiters());
		return 0;
	}

	private static long pwait2(LinuxProcess p, GuestThread t, SyscallArgs a) {
		long ns = a.a3() == 0 ? -1 : TimeCalls.readTimespec(p.memory(), a.a3());
		if (a.a3() != 0 && ns < 0) {
			return -Errno.EINVAL;
		}
		long masked = TemporaryMask.install(p, t, a.a4(), a.a5());
		if (masked != 0) {
			return masked;
		}
		return wait(p, t, a, ns == 0, TimeCalls.deadlineIn(p, ns));
	}

	private static long waitMillis(LinuxProcess p, GuestThread t, SyscallArgs a, int timeoutMs) {
		return wait(p, t, a, timeoutMs == 0, TimeCalls.deadlineIn(p, timeoutMs < 0 ? -1 : timeoutMs * 1_000_000L));
	}

	private static long wait(LinuxProcess p, GuestThread t, SyscallArgs a, boolean immediate, LongSupplier deadline) {
		int max = a.intArg(2);
		if (max <= 0 || max > Integer.MAX_VALUE / EVENT_SIZE) {
			return -Errno.EINVAL;
		}
		OpenFile f = p.fds().get(a.intArg(0));
		if (f == null) {
			return -Errno.EBADF;
		}
		if (!(f instanceof Epoll ep)) {
			return -Errno.EINVAL;
		}
		long events = a.a1();
		UserAccess.requireWritable(p.memory(), events, (long) Math.min(max, 1 << 16) * EVENT_SIZE);
		LinkedHashSet<WaitList> lists = new LinkedHashSet<>();
		PollCalls.waitLists(ep, lists);
		return BlockedCall.run(p, t, "epoll_wait(" + a.intArg(0) + ": " + ep.describe() + ")", new ArrayList<>(lists),
				deadline, 0, () -> {
					List<long[]> ready = ready(p, t, ep, max);
					byte[] event = new byte[EVENT_SIZE];
					for (int i = 0; i < ready.size(); i++) {
						FileCalls.putInt(event, 0, (int) ready.get(i)[0]);
						FileCalls.putLong(event, 4, ready.get(i)[1]);
						p.memory().copyOut(events + (long) i * EVENT_SIZE, event);
					}
					for (Epoll.Interest i : ep.interests()) {
						if ((i.events() & EPOLLONESHOT) != 0 && ready.stream().anyMatch(r -> r[2] == i.fd())) {
							i.disable();
						}
					}
					if (!ready.isEmpty() || immediate) {
						return ready.size();
					}
					// Linux's ep_poll: a signal that the thread's mask (epoll_pwait's, TemporaryMask) lets through
					return TemporaryMask.signalPending(p, t) ? -Errno.EINTR : IoWait.NOT_READY;
				});
	}

	/** Up to {@code max} ready entries of {@code ep} as {events, data, fd}, in the order they were added. */
	static List<long[]> ready(LinuxProcess p, GuestThread t, Epoll ep, int max) {
		List<long[]> ready = new ArrayList<>();
		for (Epoll.Interest i : ep.interests()) {
			if (ready.size() >= max) {
				break;
			}
			if (i.disabled()) {
				continue;
			}
			int r = PollCalls.readiness(p, t, i.file()) & (i.events() | PollCalls.POLLERR | PollCalls.POLLHUP);
			if (r != 0) {
				ready.add(new long[] { r, i.data(), i.fd() });
			}
		}
		return ready;
	}
}
