package org.insight.vmm.linux;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.function.LongSupplier;

import org.insight.vmm.linux.fd.OpenFile;
import org.insight.vmm.linux.fd.WaitList;
import org.insight.vmm.sched.GuestThread;
import org.insight.vmm.sched.IoWait;

/**
 * select and pselect6: the fd_set form of {@link PollCalls}, over the same readiness and waits. The sets are read
 * once, at the call; when it returns, each holds the descriptors ready for its kind (all cleared on a timeout). The
 * time left is not written back to the timeout (Linux does; the libcs' select does not rely on it). pselect6 waits
 * under its signal mask, as ppoll does ({@link TemporaryMask}).
 */
final class SelectCalls {
	/** What counts as readable, writable and exceptional for select (Linux's POLLIN_SET, POLLOUT_SET, POLLEX_SET). */
	static final int IN_SET = PollCalls.POLLIN | PollCalls.POLLRDNORM | PollCalls.POLLHUP | PollCalls.POLLERR,
			OUT_SET = PollCalls.POLLOUT | PollCalls.POLLWRNORM | PollCalls.POLLERR, EX_SET = PollCalls.POLLPRI;

	private SelectCalls() {
	}

	static void register(SyscallTable t) {
		t.register(Syscalls.SELECT, SelectCalls::select);
		t.register(Syscalls.PSELECT6, SelectCalls::pselect6);
	}

	private static long select(LinuxProcess p, GuestThread t, SyscallArgs a) {
		long ns = a.a4() == 0 ? -1 : TimeCalls.readTimeval(p.memory(), a.a4());
		if (a.a4() != 0 && ns < 0) {
			return -Errno.EINVAL;
		}
		return select(p, t, Syscalls.SELECT, a, ns == 0, TimeCalls.deadlineIn(p, ns));
	}

	private static long pselect6(LinuxProcess p, GuestThread t, SyscallArgs a) {
		long ns = a.a4() == 0 ? -1 : TimeCalls.readTimespec(p.memory(), a.a4());
		if (a.a4() != 0 && ns < 0) {
			return -Errno.EINVAL;
		}
		if (a.a5() != 0) { // struct { const sigset_t *ss; size_t ss_len; }
			long masked = TemporaryMask.install(p, t, p.memory().readU64(a.a5()), p.memory().readU64(a.a5() + 8));
			if (masked != 0) {
				return masked;
			}
		}
		return select(p, t, Syscalls.PSELECT6, a, ns == 0, TimeCalls.deadlineIn(p, ns));
	}

	private static long select(LinuxProcess p, GuestThread t, int nr, SyscallArgs a, boolean immediate,
			LongSupplier deadline) {
		int nfds = a.intArg(0);
		if (nfds < 0) {
			return -Errno.EINVAL;
		}
		nfds = (int) Math.min(nfds, p.fdLimit());
		int words = (nfds + 63) / 64;
		long[] addresses = { a.a1(), a.a2(), a.a3() };
		long[][] asked = new long[3][];
		for (int k = 0; k < 3; k++) {
			if (addresses[k] != 0) {
				asked[k] = new long[words];
				for (int w = 0; w < words; w++) {
					asked[k][w] = p.memory().readU64(addresses[k] + 8L * w);
				}
				if (nfds % 64 != 0 && words > 0) {
					asked[k][words - 1] &= (1L << (nfds % 64)) - 1;
				}
				UserAccess.requireWritable(p.memory(), addresses[k], 8L * words);
			}
		}
		LinkedHashSet<WaitList> lists = new LinkedHashSet<>();
		for (int fd = 0; fd < nfds; fd++) {
			if (isAsked(asked, fd)) {
				OpenFile f = p.fds().get(fd);
				if (f == null) {
					return -Errno.EBADF;
				}
				PollCalls.waitLists(f, lists);
			}
		}
		int[] kinds = { IN_SET, OUT_SET, EX_SET };
		int n = nfds;
		return BlockedCall.run(p, t, "select(" + nfds + ")", new ArrayList<>(lists), deadline, 0, () -> {
			long[][] ready = new long[3][words];
			long count = 0;
			for (int fd = 0; fd < n; fd++) {
				if (!isAsked(asked, fd)) {
					continue;
				}
				int r = PollCalls.readiness(p, t, p.fds().get(fd));
				for (int k = 0; k < 3; k++) {
					if (asked[k] != null && (asked[k][fd / 64] & 1L << fd) != 0 && (r & kinds[k]) != 0) {
						ready[k][fd / 64] |= 1L << fd;
						count++;
					}
				}
			}
			if (count == 0 && TemporaryMask.signalPending(p, t)) {
				return TemporaryMask.interrupted(p, t, nr);
			}
			if (count == 0 && !immediate) {
				clear(p, addresses, asked);
				return IoWait.NOT_READY;
			}
			for (int k = 0; k < 3; k++) {
				for (int w = 0; asked[k] != null && w < words; w++) {
					p.memory().writeU64(addresses[k] + 8L * w, ready[k][w]);
				}
			}
			return count;
		});
	}

	/** A waiting select leaves its sets empty, which is what a timeout returns. */
	private static void clear(LinuxProcess p, long[] addresses, long[][] asked) {
		for (int k = 0; k < 3; k++) {
			for (int w = 0; asked[k] != null && w < asked[k].length; w++) {
				p.memory().writeU64(addresses[k] + 8L * w, 0);
			}
		}
	}

	private static boolean isAsked(long[][] asked, int fd) {
		for (long[] set : asked) {
			if (set != null && (set[fd / 64] & 1L << fd) != 0) {
				return true;
			}
		}
		return false;
	}
}
