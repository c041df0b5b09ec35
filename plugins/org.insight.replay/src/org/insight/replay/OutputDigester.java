package org.insight.replay;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import org.insight.replay.trace.OutputDigest;
import org.insight.vmm.linux.OutputSink;

/**
 * Passes the guest's output on and digests each stream (SHA-256). What the guest wrote is digested before it is
 * passed on, so a failing destination does not change the digest.
 */
final class OutputDigester implements OutputSink {
	private final OutputSink next;
	private final MessageDigest stdout = sha256();
	private final MessageDigest stderr = sha256();
	private long stdoutBytes;
	private long stderrBytes;

	OutputDigester(OutputSink next) {
		this.next = next;
	}

	@Override
	public void write(int fd, byte[] data, int off, int len) throws IOException {
		if (fd == 2) {
			stderr.update(data, off, len);
			stderrBytes += len;
		} else {
			stdout.update(data, off, len);
			stdoutBytes += len;
		}
		next.write(fd, data, off, len);
	}

	OutputDigest stdout() {
		return digest(stdout, stdoutBytes);
	}

	OutputDigest stderr() {
		return digest(stderr, stderrBytes);
	}

	private static OutputDigest digest(MessageDigest d, long bytes) {
		try {
			return new OutputDigest(bytes, ((MessageDigest) d.clone()).digest());
		} catch (CloneNotSupportedException e) {
			throw new IllegalStateException("this JDK's SHA-256 cannot be cloned", e);
		}
	}

	private static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("SHA-256 is missing from this JDK", e);
		}
	}
}
