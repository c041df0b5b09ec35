package org.insight.vmm.linux.fd;

/**
 * An eventfd: a 64-bit counter. A read takes the whole count (or 1 in semaphore mode) and waits while it is 0; a
 * write adds to it and waits while the sum would pass {@link #MAX}.
 * <p>
 * A timerfd is the same counter, of its timer's expirations, which only the timer adds to: it is read the same way,
 * and a write is EINVAL, as Linux's timerfd has no write ({@link #timerFd}).
 */
public final class EventFd extends OpenFile {
	/** The largest count: 2^64 - 2, unsigned. */
	public static final long MAX = 0xffff_ffff_ffff_fffeL;

	private final WaitList waiters = new WaitList();
	private final boolean semaphore;
	private final int id;
	/** A timerfd's: what closing its last descriptor does (its timer is deleted); null for an eventfd. */
	private final Runnable timerRelease;
	private long count;

	public EventFd(int id, long initial, boolean semaphore, int statusFlags) {
		this(id, initial, semaphore, statusFlags, null);
	}

	private EventFd(int id, long initial, boolean semaphore, int statusFlags, Runnable timerRelease) {
		super(O_RDWR, statusFlags);
		this.id = id;
		this.count = initial;
		this.semaphore = semaphore;
		this.timerRelease = timerRelease;
	}

	/** A timerfd: its count starts at 0, and {@code release} runs when its last descriptor is closed. */
	public static EventFd timerFd(int id, int statusFlags, Runnable release) {
		return new EventFd(id, 0, false, statusFlags, java.util.Objects.requireNonNull(release, "release"));
	}

	/** Whether this is a timerfd (its count is its timer's, and it cannot be written). */
	public boolean isTimerFd() {
		return timerRelease != null;
	}

	/** A timerfd's timer was set again: its count of expirations starts over, as Linux's timerfd_setup does. */
	public void clear() {
		count = 0;
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
		return (isTimerFd() ? "timerfd " : "eventfd ") + id;
	}

	@Override
	public WaitList waiters() {
		return waiters;
	}

	@Override
	void released() {
		if (timerRelease != null) {
			timerRelease.run();
		}
	}
}
