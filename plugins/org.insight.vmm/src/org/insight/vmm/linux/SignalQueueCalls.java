package org.insight.vmm.linux;

import org.insight.vmm.sched.GuestThread;

/**
 * rt_sigqueueinfo and rt_tgsigqueueinfo (sigqueue(3), pthread_sigqueue): a signal with the caller's own siginfo
 * (si_code SI_QUEUE and a value, as the libcs fill it) to the process or to one of its threads. The guest is the only
 * process, so the target is itself; Linux lets a process give itself any si_code, so the siginfo is queued as
 * written, with si_signo set to the signal. A real-time signal queues once per call, with its own siginfo, as for
 * kill ({@link LinuxProcess#raise}).
 */
final class SignalQueueCalls {
	static final int RT_SIGQUEUEINFO = 129, RT_TGSIGQUEUEINFO = 297;

	private SignalQueueCalls() {
	}

	static void register(SyscallTable t) {
		t.register(RT_SIGQUEUEINFO, (p, th, a) -> {
			if (a.intArg(0) != p.pid()) {
				return SignalCalls.validSignal(a.a1()) ? -Errno.ESRCH : -Errno.EINVAL;
			}
			return queue(p, th, null, a.a1(), a.a2());
		});
		t.register(RT_TGSIGQUEUEINFO, (p, th, a) -> {
			if (a.intArg(0) != p.pid() || a.a1() <= 0 || a.a1() > Integer.MAX_VALUE) {
				return a.intArg(0) <= 0 || a.a1() <= 0 ? -Errno.EINVAL : -Errno.ESRCH;
			}
			GuestThread target = p.scheduler().find((int) a.a1()).orElse(null);
			if (target == null) {
				return -Errno.ESRCH;
			}
			return queue(p, th, target, a.a2(), a.a3());
		});
	}

	private static long queue(LinuxProcess p, GuestThread t, GuestThread target, long sig, long infoAddress) {
		if (!SignalCalls.validSignal(sig)) {
			return -Errno.EINVAL;
		}
		byte[] info = p.memory().copyIn(infoAddress, SignalFrame.SIGINFO_SIZE);
		SignalFrame.putInt(info, 0, (int) sig);
		if (sig == 0) {
			return 0;
		}
		p.raise((int) sig, target, Signals.name((int) sig) + " queued by thread " + t.tid()
				+ (target == null ? "" : " to thread " + target.tid()), info);
		return 0;
	}
}
