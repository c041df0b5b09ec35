package org.insight.vmm.linux;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;

/**
 * Where the guest's stdout (fd 1) and stderr (fd 2) go: the host's, a capture for tests, or a trace. Output is not an
 * input of the guest (the guest never reads it back), so a replay may send it anywhere and compare it.
 */
public interface OutputSink {
	/** Writes {@code len} bytes of guest output to {@code fd} (1 or 2), all of them or an exception. */
	void write(int fd, byte[] data, int off, int len) throws IOException;

	/**
	 * The host's own stdout and stderr, written without buffering on the host side (the guest's libc buffers
	 * already), so the two streams interleave as the guest wrote them.
	 */
	static OutputSink host() {
		FileOutputStream out = new FileOutputStream(FileDescriptor.out);
		FileOutputStream err = new FileOutputStream(FileDescriptor.err);
		return (fd, data, off, len) -> (fd == 2 ? err : out).write(data, off, len);
	}

	/** Both sinks get every write, {@code first} first. */
	static OutputSink tee(OutputSink first, OutputSink second) {
		return (fd, data, off, len) -> {
			first.write(fd, data, off, len);
			second.write(fd, data, off, len);
		};
	}
}
