package org.insight.vmm.linux;

import org.insight.vmm.sched.GuestThread;

/**
 * The signal room's syscalls: actions, masks, the alternate stack, kill, tkill and tgkill, rt_sigpending, and
 * rt_sigreturn ({@link SignalDelivery}, which also runs the handlers). What Linux would ignore is ignored; a signal
 * with no handler ends the process the way its default action would, so that abort() and a failed assert end the
 * run with status 134. A signal the guest blocks stays pending until it is unblocked, as in Linux.
 */
final class SignalCalls {
	static final int SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;
	static final int SS_ONSTACK = 1, SS_DISABLE = 2, SS_AUTODISARM = 1 << 31;
	static final long MINSIGSTKSZ = 2048;
	/** SIGKILL and SIGSTOP can be neither blocked nor caught. */
	static final long UNBLOCKABLE = bit(Signals.SIGKILL) | bit(Signals.SIGSTOP);
	static final int RT_SIGPENDING = 127;

	private SignalCalls() {
	}

	static void register(SyscallTable t) {
		t.register(Syscalls.RT_SIGACTION, SignalCalls::sigaction);
		t.register(Syscalls.RT_SIGPROCMASK, SignalCalls::sigprocmask);
		t.register(Syscalls.SIGALTSTACK, SignalCalls::sigaltstack);
		t.register(Syscalls.RT_SIGRETURN, SignalDelivery::sigreturn);
		t.register(RT_SIGPENDING, SignalCalls::sigpending);
		SignalWaits.register(t);
		SignalQueueCalls.register(t);
		SignalFdCalls.register(t);
		t.register(Syscalls.KILL, SignalCalls::kill);
		t.register(Syscalls.TKILL, (p, th, a) -> threadKill(p, th, a.a0(), a.a1()));
		t.register(Syscalls.TGKILL, (p, th, a) -> {
			if (a.a0() <= 0) {
				return -Errno.EINVAL;
			}
			if (a.a0() != p.pid()) {
				return validSignal(a.a2()) ? -Errno.ESRCH : -Errno.EINVAL;
			}
			return threadKill(p, th, a.a1(), a.a2());
		});
	}

	static long bit(int signal) {
		return 1L << (signal - 1);
	}

	static boolean validSignal(long sig) {
		return sig >= 0 && sig <= Signals.MAX;
	}

	private static long sigaction(LinuxProcess p, GuestThread t, SyscallArgs a) {
		long sig = a.a0();
		if (a.a3() != 8 || sig < 1 || sig > Signals.MAX) {
			return -Errno.EINVAL;
		}
		int s = (int) sig;
		if (a.a1() != 0 && (s == Signals.SIGKILL || s == Signals.SIGSTOP)) {
			return -Errno.EINVAL;
		}
		SignalAction old = p.action(s);
		if (a.a1() != 0) {
			long act = a.a1();
			SignalAction next = new SignalAction(p.memory().readU64(act), p.memory().readU64(act + 8),
					p.memory().readU64(act + 16), p.memory().readU64(act + 24) & ~UNBLOCKABLE);
			p.action(s, next);
			if (next.isIgnored() || next.isDefault() && Signals.defaultAction(s) == Signals.DefaultAction.IGNORE) {
				p.pending().discard(s);
			}
		}
		if (a.a2() != 0) {
			long oact = a.a2();
			p.memory().writeU64(oact, old.handler());
			p.memory().writeU64(oact + 8, old.flags());
			p.memory().writeU64(oact + 16, old.restorer());
			p.memory().writeU64(oact + 24, old.mask());
		}
		return 0;
	}

	private static long sigprocmask(LinuxProcess p, GuestThread t, SyscallArgs a) {
		if (a.a3() != 8) {
			return -Errno.EINVAL;
		}
		long old = t.signalMask();
		if (a.a1() != 0) {
			long set = p.memory().readU64(a.a1());
			int how = a.intArg(0);
			long mask;
			if (how == SIG_BLOCK) {
				mask = old | set;
			} else if (how == SIG_UNBLOCK) {
				mask = old & ~set;
			} else if (how == SIG_SETMASK) {
				mask = set;
			} else {
				return -Errno.EINVAL;
			}
			t.signalMask(mask & ~UNBLOCKABLE);
		}
		if (a.a2() != 0) {
			p.memory().writeU64(a.a2(), old);
		}
		p.deliverPending(t);
		return 0;
	}

	private static long sigaltstack(LinuxProcess p, GuestThread t, SyscallArgs a) {
		long oldSp = t.altStackSp();
		long oldSize = t.altStackSize();
		int oldFlags = t.altStackFlags();
		if (a.a0() != 0) {
			long ss = a.a0();
			long sp = p.memory().readU64(ss);
			int flags = p.memory().readU32(ss + 8);
			long size = p.memory().readU64(ss + 16);
			int mode = flags & ~SS_AUTODISARM;
			if (mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK) {
				return -Errno.EINVAL;
			}
			if (mode == SS_DISABLE) {
				t.altStack(0, 0, SS_DISABLE);
			} else {
				if (size < MINSIGSTKSZ) {
					return -Errno.ENOMEM;
				}
				t.altStack(sp, size, flags & SS_AUTODISARM);
			}
		}
		if (a.a1() != 0) {
			long oss = a.a1();
			p.memory().writeU64(oss, oldSp);
			p.memory().writeU32(oss + 8, oldFlags);
			p.memory().writeU32(oss + 12, 0);
			p.memory().writeU64(oss + 16, oldSize);
		}
		return 0;
	}

	/** rt_sigpending(set, sigsetsize): the thread's and the process's pending signals that the thread blocks. */
	private static long sigpending(LinuxProcess p, GuestThread t, SyscallArgs a) {
		if (a.a1() > 8) {
			return -Errno.EINVAL;
		}
		byte[] set = new byte[8];
		SignalFrame.putLong(set, 0, p.pending().visibleTo(t) & t.signalMask());
		p.memory().copyOut(a.a0(), java.util.Arrays.copyOf(set, (int) a.a1()));
		return 0;
	}

	/** kill(pid, sig): the process itself (its pid, its group, or everything it may signal), nobody else. */
	private static long kill(LinuxProcess p, GuestThread t, SyscallArgs a) {
		int pid = a.intArg(0);
		long sig = a.a1();
		if (!validSignal(sig)) {
			return -Errno.EINVAL;
		}
		boolean self = pid == p.pid() || pid == 0 || pid == -1 || pid == -p.pid();
		if (!self) {
			return -Errno.ESRCH;
		}
		if (sig == 0) {
			return 0;
		}
		p.raise((int) sig, null, "kill(" + pid + ", " + Signals.name((int) sig) + ") by thread " + t.tid(),
				SignalFrame.senderInfo((int) sig, LinuxProcess.SI_USER, p.pid(), LinuxProcess.UID));
		return 0;
	}

	private static long threadKill(LinuxProcess p, GuestThread t, long tid, long sig) {
		if (tid <= 0 || !validSignal(sig)) {
			return -Errno.EINVAL;
		}
		GuestThread target = tid > Integer.MAX_VALUE ? null : p.scheduler().find((int) tid).orElse(null);
		if (target == null) {
			return -Errno.ESRCH;
		}
		if (sig == 0) {
			return 0;
		}
		p.raise((int) sig, target, Signals.name((int) sig) + " sent by thread " + t.tid() + " to thread " + tid,
				SignalFrame.senderInfo((int) sig, LinuxProcess.SI_TKILL, p.pid(), LinuxProcess.UID));
		return 0;
	}
}
