package org.insight.vmm.linux.fd;

/**
 * An eventfd: a 64-bit counter. A read takes the whole count (or 1 in semaphore mode) and waits while it is 0; a
 * write adds to it and waits while the sum would pass {@link #MAX}.
 */
public final class EventFd extends OpenFile {
	/** The largest count: 2^64 - 2, unsigned. */
	public static final long MAX = 0xffff_ffff_ffff_fffeL;

	private final WaitList waiters = new WaitList();
	private final boolean semaphore;
	private final int id;
	private long count;

	public EventFd(int id, long initial, boolean semaphore, int statusFlags) {
		super(O_RDWR, statusFlags);
		this.id = id;
		this.count = initial;
		this.semaphore = semaphore;
	}

	public long count() {
		return count;
	}

	public boolean readReady() {
		return count != 0;
	}

	/** Whether {@code value} can be added now without passing {@link #MAX}. */
	public boolean canAdd(long value) {
		return Long.compareUnsigned(value, MAX - count) <= 0;
	}

	/** The value a read returns and takes off the count; the caller checked {@link #readReady()}. */
	public long take() {
		long value = semaphore ? 1 : count;
		count -= value;
		return value;
	}

	/** Adds {@code value}; the caller checked {@link #canAdd}. */
	public void add(long value) {
		count += value;
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
		return "eventfd " + id;
	}

	@Override
	public WaitList waiters() {
		return waiters;
	}

	@Override
	void released() {
	}
}
