package org.insight.vmm.linux;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** An {@link OutputSink} that keeps the guest's stdout and stderr in memory. */
public final class CapturedOutput implements OutputSink {
	private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
	private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

	@Override
	public synchronized void write(int fd, byte[] data, int off, int len) {
		(fd == 2 ? stderr : stdout).write(data, off, len);
	}

	public synchronized byte[] stdout() {
		return stdout.toByteArray();
	}

	public synchronized byte[] stderr() {
		return stderr.toByteArray();
	}

	public String stdoutText() {
		return new String(stdout(), StandardCharsets.UTF_8);
	}

	public String stderrText() {
		return new String(stderr(), StandardCharsets.UTF_8);
	}
}
