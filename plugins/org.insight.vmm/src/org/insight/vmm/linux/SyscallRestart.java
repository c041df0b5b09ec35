package org.insight.vmm.linux;

import org.insight.kvm.Regs;
import org.insight.vmm.memory.GuestFault;
import org.insight.vmm.sched.GuestThread;

/**
 * What a blocked syscall becomes when a handled signal interrupts it, decided here for every call the VMM blocks in,
 * as Linux decides it (signal(7), "Interruption of system calls and library functions by signal handlers").
 * <p>
 * Interrupting a call ends its wait with Linux's kernel-internal code, which never reaches the guest: the thread
 * remembers it ({@link PendingSets#interrupted}) and it is resolved when the thread next returns to user mode
 * ({@link SignalDelivery#beforeUserMode}), as Linux's arch_do_signal_or_restart does. If a handler runs, the first
 * handler's frame saves the outcome: -ERESTARTSYS (a pipe or eventfd read or write, a futex wait without a timeout)
 * restarts the call with SA_RESTART and is EINTR without it; -ERESTARTNOINTR (a PI futex lock, FUTEX_LOCK_PI and
 * LOCK_PI2: the waiter leaves the lock's queue, its handler runs, and it asks for the lock again, its absolute
 * timeout unchanged) restarts it always; -ERESTARTNOHAND (poll, ppoll, select, pselect6, an
 * absolute clock_nanosleep) and -ERESTART_RESTARTBLOCK (nanosleep and a relative clock_nanosleep, which first write
 * the time left to rem; a futex wait with a timeout) are EINTR. epoll_wait answers EINTR at once, as Linux's does. If
 * no handler runs after all (another thread made the signal ignored meanwhile), the call restarts: RIP back over the
 * two-byte syscall instruction, RAX the syscall number again. A restarted sleep or timed wait then waits its whole
 * timeout again, where Linux's restart block would wait only the rest.
 * <p>
 * While a thread is blocked in a syscall, its saved RAX still holds the syscall number (the result is written when it
 * wakes), like Linux's orig_ax; its argument registers are as the guest passed them. Calls not named here (pause,
 * rt_sigsuspend and rt_sigtimedwait, which {@link SignalWaits} ends) are not interrupted: the signal waits for the
 * thread's return.
 */
final class SyscallRestart {
	static final int ERESTARTSYS = 512, ERESTARTNOINTR = 513, ERESTARTNOHAND = 514, ERESTART_RESTARTBLOCK = 516;
	/** The length of the syscall instruction (0f 05), which a restart executes again. */
	static final int SYSCALL_LENGTH = 2;

	/** An interrupted call: the code its wait ended with and its syscall number. */
	record Interrupted(int code, long nr) {
	}

	private SyscallRestart() {
	}

	/**
	 * Linux's code for the call {@code t} is blocked in when a signal ends its wait: an -ERESTART code (positive
	 * here), {@link Errno#EINTR} for a call that answers EINTR itself, or 0 if the VMM does not interrupt it.
	 */
	static int codeFor(GuestThread t) {
		Regs r = t.regs();
		return switch ((int) r.rax) {
		case Syscalls.READ, Syscalls.READV, Syscalls.WRITE, Syscalls.WRITEV -> ERESTARTSYS;
		case Syscalls.FUTEX -> {
			int cmd = (int) r.rsi & ~(FutexCalls.FUTEX_PRIVATE_FLAG | FutexCalls.FUTEX_CLOCK_REALTIME);
			if (cmd == FutexCalls.FUTEX_LOCK_PI || cmd == FutexCalls.FUTEX_LOCK_PI2) {
				yield ERESTARTNOINTR; // Linux's futex_lock_pi: the handler runs, then the lock is asked again
			}
			if (cmd != FutexCalls.FUTEX_WAIT && cmd != FutexCalls.FUTEX_WAIT_BITSET) {
				yield 0;
			}
			yield r.r10 == 0 ? ERESTARTSYS : ERESTART_RESTARTBLOCK;
		}
		case Syscalls.POLL, Syscalls.PPOLL, Syscalls.SELECT, Syscalls.PSELECT6 -> ERESTARTNOHAND;
		case Syscalls.EPOLL_WAIT, Syscalls.EPOLL_PWAIT, Syscalls.EPOLL_PWAIT2 -> Errno.EINTR;
		case Syscalls.NANOSLEEP -> ERESTART_RESTARTBLOCK;
		case Syscalls.CLOCK_NANOSLEEP -> (r.rsi & TimeCalls.TIMER_ABSTIME) != 0 ? ERESTARTNOHAND
				: ERESTART_RESTARTBLOCK;
		default -> 0;
		};
	}

	/**
	 * A handled signal is pending for {@code t}, which is blocked: ends its call if Linux would, and returns whether
	 * it did ({@code t} is then runnable). A write that moved bytes returns their count; a sleep writes the time left
	 * to rem (read from the guest's monotonic clock, an input, on behalf of the signalling thread) or returns 0 if its
	 * deadline has passed.
	 */
	static boolean interrupt(LinuxProcess p, GuestThread t) {
		int code = codeFor(t);
		BlockedCall call = BlockedCall.of(t);
		if (code == 0 || call != null && !call.interruptible()) {
			return false;
		}
		long nr = t.regs().rax;
		long done = call == null ? 0 : call.progress();
		if (done > 0) {
			p.scheduler().interrupt(t, done);
			return true;
		}
		if (nr == Syscalls.NANOSLEEP || nr == Syscalls.CLOCK_NANOSLEEP && code == ERESTART_RESTARTBLOCK) {
			long rem = nr == Syscalls.NANOSLEEP ? t.regs().rsi : t.regs().r10;
			long left = t.deadline() - p.scheduler().monotonicNow();
			if (left <= 0) {
				p.scheduler().interrupt(t, 0);
				return true;
			}
			if (rem != 0) {
				try {
					UserAccess.requireWritable(p.memory(), rem, 16);
					TimeCalls.writeTimespec(p.memory(), rem, left);
				} catch (GuestFault f) {
					p.scheduler().interrupt(t, -Errno.EFAULT);
					return true;
				}
			}
		}
		if (code == Errno.EINTR) {
			p.scheduler().interrupt(t, -Errno.EINTR);
			return true;
		}
		p.pending().interrupted(t, new Interrupted(code, nr));
		p.scheduler().interrupt(t, -code);
		return true;
	}

	/** The first handler's frame is about to save {@code r}: Linux's handle_signal decides the interrupted call. */
	static void beforeHandler(Regs r, Interrupted i, SignalAction act) {
		if (i.code() == ERESTARTNOINTR || i.code() == ERESTARTSYS && (act.flags() & SignalFrame.SA_RESTART) != 0) {
			restart(r, i);
		} else {
			r.rax = -Errno.EINTR;
		}
	}

	/** No handler ran: the interrupted call starts again. */
	static void withoutHandler(Regs r, Interrupted i) {
		restart(r, i);
	}

	private static void restart(Regs r, Interrupted i) {
		r.rax = i.nr();
		r.rip -= SYSCALL_LENGTH;
	}
}
