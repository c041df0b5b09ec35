package org.insight.vmm.linux.fd;

/**
 * A signalfd: a descriptor that reads the signals of its mask pending for the reading thread or its process, as
 * signalfd_siginfo records, instead of their delivery. It has no state of its own but the mask; its waiters wait on
 * the process's signal wait list, which every new pending signal retries.
 */
public final class SignalFd extends OpenFile {
	private final int id;
	private final WaitList signalWaiters;
	private long mask;

	/** @param signalWaiters the process's signal wait list (retried at each new pending signal) */
	public SignalFd(int id, long mask, WaitList signalWaiters, int statusFlags) {
		super(O_RDWR, statusFlags);
		this.id = id;
		this.mask = mask;
		this.signalWaiters = signalWaiters;
	}

	/** The signals it reads, bit n-1 for signal n. */
	public long mask() {
		return mask;
	}

	/** signalfd on an existing descriptor: the new mask. */
	public void mask(long mask) {
		this.mask = mask;
	}

	public int id() {
		return id;
	}

	@Override
	public int mode() {
		return ANON_MODE;
	}

	@Override
	public String describe() {
		return "signalfd " + id;
	}

	@Override
	public WaitList waiters() {
		return signalWaiters;
	}

	@Override
	void released() {
	}
}
