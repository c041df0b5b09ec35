package org.insight.vmm.linux;

import java.util.List;

import org.insight.vmm.linux.fd.EventFd;
import org.insight.vmm.linux.fd.Pipe;
import org.insight.vmm.linux.fd.PipeBuffer;
import org.insight.vmm.linux.fd.PipeEnd;
import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.sched.GuestThread;
import org.insight.vmm.sched.IoWait;

/**
 * Reads and writes on pipes and eventfds, as Linux does them: a read of an empty pipe waits while a writer exists
 * and is end of file when none does; a write waits for room (all of it for at most PIPE_BUF bytes, so such a write is
 * never split); a write without readers is EPIPE and raises SIGPIPE; O_NONBLOCK turns every wait into EAGAIN.
 * Waiting goes through {@link BlockedCall}.
 */
final class PipeIo {
	private PipeIo() {
	}

	static long read(LinuxProcess p, GuestThread t, int fd, PipeEnd end, IoVector v) {
		Pipe pipe = end.pipe();
		boolean nonBlocking = end.nonBlocking();
		return BlockedCall.run(p, t, "read(" + fd + ": " + end.describe() + ")", List.of(pipe.waiters()),
				GuestThread.NO_DEADLINE, 0, () -> tryRead(p.memory(), pipe, v, nonBlocking));
	}

	private static long tryRead(AddressSpace memory, Pipe pipe, IoVector v, boolean nonBlocking) {
		long want = Math.min(v.total(), PipeBuffer.CAPACITY);
		if (want == 0) {
			return 0;
		}
		int n = (int) Math.min(want, pipe.buffer().available());
		if (n == 0) {
			return !pipe.hasWriters() ? 0 : nonBlocking ? -Errno.EAGAIN : IoWait.NOT_READY;
		}
		v.requireWritable(memory, n);
		byte[] bytes = new byte[n];
		pipe.buffer().read(bytes, 0, n);
		v.scatter(memory, 0, bytes, n);
		pipe.waiters().touch();
		return n;
	}

	static long write(LinuxProcess p, GuestThread t, int fd, PipeEnd end, IoVector v) {
		Pipe pipe = end.pipe();
		boolean nonBlocking = end.nonBlocking();
		long[] done = { 0 };
		return BlockedCall.run(p, t, "write(" + fd + ": " + end.describe() + ")", List.of(pipe.waiters()),
				() -> GuestThread.NO_DEADLINE, 0, () -> tryWrite(p, t, pipe, v, nonBlocking, done), () -> done[0]);
	}

	/** One try of a write; {@code done} carries the bytes written by earlier tries of the same call. */
	private static long tryWrite(LinuxProcess p, GuestThread t, Pipe pipe, IoVector v, boolean nonBlocking,
			long[] done) {
		long total = v.total();
		if (total == 0) {
			return 0;
		}
		if (!pipe.hasReaders()) {
			p.raise(Signals.SIGPIPE, t, "write by thread " + t.tid() + " to a pipe without readers");
			return done[0] > 0 ? done[0] : -Errno.EPIPE;
		}
		long remaining = total - done[0];
		int space = pipe.buffer().space();
		boolean atomic = total <= Pipe.PIPE_BUF;
		if (space == 0 || atomic && space < remaining) {
			return !nonBlocking ? IoWait.NOT_READY : done[0] > 0 ? done[0] : -Errno.EAGAIN;
		}
		int n = (int) Math.min(space, remaining);
		byte[] bytes;
		try {
			bytes = v.gather(p.memory(), done[0], n);
		} catch (org.insight.vmm.memory.GuestFault f) {
			if (done[0] > 0) {
				return done[0];
			}
			throw f;
		}
		pipe.buffer().write(bytes, 0, n);
		pipe.waiters().touch();
		done[0] += n;
		return done[0] == total || nonBlocking ? done[0] : IoWait.NOT_READY;
	}

	// ---------------------------------------------------------------- eventfd

	static long read(LinuxProcess p, GuestThread t, int fd, EventFd e, IoVector v) {
		if (v.total() < 8) {
			return -Errno.EINVAL;
		}
		boolean nonBlocking = e.nonBlocking();
		return BlockedCall.run(p, t, "read(" + fd + ": " + e.describe() + ")", List.of(e.waiters()),
				GuestThread.NO_DEADLINE, 0, () -> {
					if (!e.readReady()) {
						return nonBlocking ? -Errno.EAGAIN : IoWait.NOT_READY;
					}
					v.requireWritable(p.memory(), 8);
					byte[] value = new byte[8];
					FileCalls.putLong(value, 0, e.take());
					v.scatter(p.memory(), 0, value, 8);
					e.waiters().touch();
					return 8;
				});
	}

	static long write(LinuxProcess p, GuestThread t, int fd, EventFd e, IoVector v) {
		if (v.total() < 8) {
			return -Errno.EINVAL;
		}
		boolean nonBlocking = e.nonBlocking();
		return BlockedCall.run(p, t, "write(" + fd + ": " + e.describe() + ")", List.of(e.waiters()),
				GuestThread.NO_DEADLINE, 0, () -> {
					byte[] bytes = v.gather(p.memory(), 0, 8);
					long value = 0;
					for (int i = 7; i >= 0; i--) {
						value = value << 8 | (bytes[i] & 0xff);
					}
					if (value == -1L) {
						return -Errno.EINVAL;
					}
					if (!e.canAdd(value)) {
						return nonBlocking ? -Errno.EAGAIN : IoWait.NOT_READY;
					}
					e.add(value);
					e.waiters().touch();
					return 8;
				});
	}
}
