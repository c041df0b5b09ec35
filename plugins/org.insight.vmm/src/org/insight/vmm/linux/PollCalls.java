package org.insight.vmm.linux;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

import org.insight.vmm.linux.fd.Epoll;
import org.insight.vmm.linux.fd.EventFd;
import org.insight.vmm.linux.fd.HostFile;
import org.insight.vmm.linux.fd.OpenFile;
import org.insight.vmm.linux.fd.Pipe;
import org.insight.vmm.linux.fd.PipeEnd;
import org.insight.vmm.linux.fd.SignalFd;
import org.insight.vmm.linux.fd.StdStream;
import org.insight.vmm.linux.fd.WaitList;
import org.insight.vmm.sched.GuestThread;
import org.insight.vmm.sched.IoWait;

/**
 * poll and ppoll over pipes, eventfds and the standard streams. A poll that finds nothing ready waits on every pipe
 * and eventfd it names ({@link BlockedCall}) until one changes so that something is ready, or until its timeout on
 * the guest's monotonic clock (read through the inputs, as futex timeouts are, and only when it has to wait).
 * <p>
 * stdin is always readable and stdout and stderr always writable. That answer is exact for the guest: a read of
 * stdin never waits in guest time, it returns bytes or end of file as one recorded input (the machine waits for the
 * host meanwhile), as a regular file does under Linux. So a poll needs no input of its own and the trace format does
 * not change. ppoll waits under its signal mask ({@link TemporaryMask}): with nothing ready, a signal pending that
 * it lets through ends the call, as one raised during the wait does ({@link SyscallRestart}). ppoll does not write
 * back the time left.
 */
final class PollCalls {
	static final int POLLIN = 0x1, POLLPRI = 0x2, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20,
			POLLRDNORM = 0x40, POLLWRNORM = 0x100;
	static final int POLLFD_SIZE = 8;

	private PollCalls() {
	}

	static void register(SyscallTable t) {
		t.register(Syscalls.POLL, PollCalls::poll);
		t.register(Syscalls.PPOLL, PollCalls::ppoll);
	}

	private static long poll(LinuxProcess p, GuestThread t, SyscallArgs a) {
		int timeoutMs = a.intArg(2);
		return poll(p, t, Syscalls.POLL, a.a0(), a.a1(), timeoutMs == 0,
				TimeCalls.deadlineIn(p, timeoutMs < 0 ? -1 : timeoutMs * 1_000_000L));
	}

	private static long ppoll(LinuxProcess p, GuestThread t, SyscallArgs a) {
		long ns = a.a2() == 0 ? -1 : TimeCalls.readTimespec(p.memory(), a.a2());
		if (a.a2() != 0 && ns < 0) {
			return -Errno.EINVAL;
		}
		long masked = TemporaryMask.install(p, t, a.a3(), a.a4());
		if (masked != 0) {
			return masked;
		}
		return poll(p, t, Syscalls.PPOLL, a.a0(), a.a1(), ns == 0, TimeCalls.deadlineIn(p, ns));
	}

	private static long poll(LinuxProcess p, GuestThread t, int nr, long fds, long nfds, boolean immediate,
			LongSupplier deadline) {
		if (Long.compareUnsigned(nfds, p.fdLimit()) > 0) {
			return -Errno.EINVAL;
		}
		int n = (int) nfds;
		byte[] raw = new byte[n * POLLFD_SIZE];
		p.memory().copyIn(fds, raw, 0, raw.length);
		UserAccess.requireWritable(p.memory(), fds, raw.length);
		int[] fd = new int[n];
		short[] events = new short[n];
		LinkedHashSet<WaitList> lists = new LinkedHashSet<>();
		for (int i = 0; i < n; i++) {
			fd[i] = (raw[i * 8] & 0xff) | (raw[i * 8 + 1] & 0xff) << 8 | (raw[i * 8 + 2] & 0xff) << 16
					| raw[i * 8 + 3] << 24;
			events[i] = (short) ((raw[i * 8 + 4] & 0xff) | raw[i * 8 + 5] << 8);
			OpenFile f = fd[i] < 0 ? null : p.fds().get(fd[i]);
			if (f != null) {
				waitLists(f, lists);
			}
		}
		List<WaitList> waitLists = new ArrayList<>(lists);
		return BlockedCall.run(p, t, "poll(" + n + " fds)", waitLists, deadline, 0, () -> {
			int ready = 0;
			byte[] revents = new byte[2];
			for (int i = 0; i < n; i++) {
				int r = 0;
				if (fd[i] >= 0) {
					OpenFile f = p.fds().get(fd[i]);
					r = f == null ? POLLNVAL : readiness(p, t, f) & (events[i] | POLLERR | POLLHUP);
				}
				if (r != 0) {
					ready++;
				}
				revents[0] = (byte) r;
				revents[1] = (byte) (r >> 8);
				p.memory().copyOut(fds + (long) i * POLLFD_SIZE + 6, revents, 0, 2);
			}
			if (ready > 0) {
				return ready;
			}
			if (TemporaryMask.signalPending(p, t)) {
				return TemporaryMask.interrupted(p, t, nr);
			}
			return immediate ? 0 : IoWait.NOT_READY;
		});
	}

	/** What {@code f} is ready for now for thread {@code t}, as poll bits (before masking with the events asked for). */
	static int readiness(LinuxProcess p, GuestThread t, OpenFile f) {
		return switch (f) {
		case StdStream s -> s.stream() == 0 ? POLLIN | POLLRDNORM : POLLOUT | POLLWRNORM;
		case PipeEnd end -> {
			Pipe pipe = end.pipe();
			if (end.isReadEnd()) {
				yield (pipe.buffer().available() > 0 ? POLLIN | POLLRDNORM : 0) | (pipe.hasWriters() ? 0 : POLLHUP);
			}
			yield (pipe.buffer().space() >= Pipe.PIPE_BUF ? POLLOUT | POLLWRNORM : 0)
					| (pipe.hasReaders() ? 0 : POLLERR);
		}
		case EventFd e -> (e.readReady() ? POLLIN | POLLRDNORM : 0)
				| (e.canAdd(1) && !e.isTimerFd() ? POLLOUT | POLLWRNORM : 0);
		case Epoll ep -> EpollCalls.ready(p, t, ep, Integer.MAX_VALUE).isEmpty() ? 0 : POLLIN | POLLRDNORM;
		case SignalFd s -> SignalFdCalls.pending(p, t, s) ? POLLIN | POLLRDNORM : 0;
		case HostFile h -> POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM; // a regular file is always ready, as Linux says
		};
	}

	/** The wait lists a wait for {@code f}'s readiness joins (an epoll's: its own and its watched files'). */
	static void waitLists(OpenFile f, Set<WaitList> into) {
		if (f instanceof Epoll ep) {
			for (Epoll.Interest i : ep.interests()) {
				waitLists(i.file(), into);
			}
		}
		if (f.waiters() != null) {
			into.add(f.waiters());
		}
	}
}
