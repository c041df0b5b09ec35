package org.insight.vmm.linux;

import org.insight.vmm.sched.GuestThread;

/**
 * The signal mask that ppoll, pselect6, epoll_pwait and epoll_pwait2 wait under, as Linux applies it: the race-free
 * "block the signal, then wait with it unblocked" pattern.
 * <p>
 * At the call the mask replaces the thread's own, which is kept as rt_sigsuspend keeps it ({@link
 * PendingSets#suspendMask}). A signal the new mask lets through then ends the wait: one already pending when the call
 * finds nothing ready ({@link #signalPending}; Linux's do_poll and do_select check signal_pending after the
 * descriptors), or one raised while the thread waits ({@link SignalWaits#signalled}). Then the first handler's frame
 * saves the thread's own mask, which rt_sigreturn puts back. A call that ends otherwise (something ready, a timeout,
 * an error) gets its own mask back before any signal is delivered ({@link SignalDelivery#beforeUserMode}, Linux's
 * restore_saved_sigmask_unless), so a signal the thread blocks stays pending.
 */
final class TemporaryMask {
	/** The size of the kernel's sigset_t, the only one the calls accept. */
	static final long SIGSET_SIZE = 8;

	private TemporaryMask() {
	}

	/**
	 * Installs the mask at {@code address} for {@code t} until its call returns; nothing if {@code address} is 0.
	 * Returns 0, or -EINVAL for a size other than 8 (a bad address faults: EFAULT).
	 */
	static long install(LinuxProcess p, GuestThread t, long address, long size) {
		if (address == 0) {
			return 0;
		}
		if (size != SIGSET_SIZE) {
			return -Errno.EINVAL;
		}
		long mask = p.memory().readU64(address) & ~SignalCalls.UNBLOCKABLE;
		p.pending().suspendMask(t, t.signalMask());
		t.signalMask(mask);
		return 0;
	}

	/** Linux's signal_pending: a signal {@code t} does not block is pending for it or for its process. */
	static boolean signalPending(LinuxProcess p, GuestThread t) {
		return (p.pending().visibleTo(t) & ~t.signalMask()) != 0;
	}

	/**
	 * The wait of {@code t}'s call (syscall {@code nr}) ends for a pending signal: Linux's -ERESTARTNOHAND, which the
	 * handler makes EINTR and which restarts the call if no handler runs ({@link SyscallRestart}).
	 */
	static long interrupted(LinuxProcess p, GuestThread t, long nr) {
		p.pending().interrupted(t, new SyscallRestart.Interrupted(SyscallRestart.ERESTARTNOHAND, nr));
		return -SyscallRestart.ERESTARTNOHAND;
	}
}
