package org.insight.vmm.linux.fd;

/**
 * A pipe between guest threads: its buffer, how many open descriptions of each end there are, and the threads
 * blocked on it. Writes of at most {@link #PIPE_BUF} bytes are atomic: they wait for room for all of their bytes.
 */
public final class Pipe {
	/** POSIX's atomic write size, Linux's value. */
	public static final int PIPE_BUF = 4096;

	private final PipeBuffer buffer = new PipeBuffer();
	private final WaitList waiters = new WaitList();
	private final int id;
	private int readers;
	private int writers;

	private Pipe(int id) {
		this.id = id;
	}

	/** A new pipe and its two ends, {read, write}. */
	public static PipeEnd[] open(int id, int statusFlags) {
		Pipe pipe = new Pipe(id);
		pipe.readers = 1;
		pipe.writers = 1;
		return new PipeEnd[] { new PipeEnd(pipe, true, statusFlags), new PipeEnd(pipe, false, statusFlags) };
	}

	public PipeBuffer buffer() {
		return buffer;
	}

	public WaitList waiters() {
		return waiters;
	}

	/** The pipe's number in this run (its inode number for fstat). */
	public int id() {
		return id;
	}

	public boolean hasReaders() {
		return readers > 0;
	}

	public boolean hasWriters() {
		return writers > 0;
	}

	void endReleased(boolean readEnd) {
		if (readEnd) {
			readers--;
		} else {
			writers--;
		}
	}
}
