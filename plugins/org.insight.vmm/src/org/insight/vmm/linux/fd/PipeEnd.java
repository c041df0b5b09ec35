package org.insight.vmm.linux.fd;

/** One end of a {@link Pipe}: the read end is O_RDONLY, the write end O_WRONLY. */
public final class PipeEnd extends OpenFile {
	private final Pipe pipe;
	private final boolean readEnd;

	PipeEnd(Pipe pipe, boolean readEnd, int statusFlags) {
		super(readEnd ? O_RDONLY : O_WRONLY, statusFlags);
		this.pipe = pipe;
		this.readEnd = readEnd;
	}

	public Pipe pipe() {
		return pipe;
	}

	public boolean isReadEnd() {
		return readEnd;
	}

	@Override
	public int mode() {
		return FIFO_MODE;
	}

	@Override
	public String describe() {
		return "pipe " + pipe.id() + (readEnd ? " (read end)" : " (write end)");
	}

	@Override
	public WaitList waiters() {
		return pipe.waiters();
	}

	@Override
	void released() {
		pipe.endReleased(readEnd);
	}
}
