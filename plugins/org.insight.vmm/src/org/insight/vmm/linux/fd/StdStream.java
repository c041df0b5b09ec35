package org.insight.vmm.linux.fd;

/**
 * One of the standard streams: stdin (read through the guest's inputs), stdout or stderr (written to the run's
 * output). Each looks like a pipe, whatever the host's descriptor is, so every run sees the same. A dup of fd 1
 * writes to stdout as fd 1 does.
 */
public final class StdStream extends OpenFile {
	private final int stream;

	public StdStream(int stream) {
		super(stream == 0 ? O_RDONLY : O_WRONLY, 0);
		if (stream < 0 || stream > 2) {
			throw new IllegalArgumentException("standard stream " + stream);
		}
		this.stream = stream;
	}

	/** 0, 1 or 2. */
	public int stream() {
		return stream;
	}

	@Override
	public int mode() {
		return FIFO_MODE;
	}

	@Override
	public String describe() {
		return stream == 0 ? "stdin" : stream == 1 ? "stdout" : "stderr";
	}

	/** The standard streams never block a guest thread: a stdin read is answered by the inputs. */
	@Override
	public WaitList waiters() {
		return null;
	}

	@Override
	void released() {
	}
}
