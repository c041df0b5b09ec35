package org.insight.vmm.inputs;

/**
 * The outcome of writing guest output on the host: the {@code index}-th output write of the process (counted from
 * 0 over stdout and stderr), {@code length} bytes to {@code fd}, by thread {@code tid}.
 * <p>
 * Output is not an input, but whether the host accepted it is: a recording piped into {@code head} sees EPIPE (and
 * SIGPIPE) where a replay to a terminal would not. So a write the host refused is recorded with its errno, and a
 * replay gives the guest that errno at the same write, whatever its own stdout does. Writes the host accepted whole
 * are not recorded; the index tells a replay which write a recorded failure belongs to.
 */
public record OutputWrite(int tid, int fd, int length, long index) implements InputQuestion {
	public OutputWrite {
		if (fd < 1 || fd > 2 || length < 0 || index < 0) {
			throw new IllegalArgumentException("output write #" + index + " of " + length + " bytes to fd " + fd);
		}
	}

	@Override
	public String describe() {
		return "write(" + fd + ", ..., " + length + ") #" + index + " by thread " + tid;
	}
}
