package org.insight.vmm.linux.fd;

/**
 * A pipe's bytes: a ring of at most {@link #CAPACITY} bytes (Linux's default pipe size, 16 pages). The array grows
 * with its content, so a thousand idle pipes cost little host memory.
 */
public final class PipeBuffer {
	/** Linux's default pipe capacity. */
	public static final int CAPACITY = 1 << 16;
	private static final int INITIAL = 4096;

	private byte[] ring = new byte[0];
	private int head;
	private int size;

	public int available() {
		return size;
	}

	public int space() {
		return CAPACITY - size;
	}

	/** Appends up to {@code len} bytes; returns how many fit. */
	public int write(byte[] src, int off, int len) {
		int n = Math.min(len, space());
		ensure(size + n);
		for (int done = 0; done < n;) {
			int tail = (head + size) % ring.length;
			int chunk = Math.min(n - done, ring.length - tail);
			System.arraycopy(src, off + done, ring, tail, chunk);
			size += chunk;
			done += chunk;
		}
		return n;
	}

	/** Removes up to {@code len} bytes, oldest first; returns how many. */
	public int read(byte[] dst, int off, int len) {
		int n = Math.min(len, size);
		for (int done = 0; done < n;) {
			int chunk = Math.min(n - done, ring.length - head);
			System.arraycopy(ring, head, dst, off + done, chunk);
			head = (head + chunk) % ring.length;
			size -= chunk;
			done += chunk;
		}
		if (size == 0) {
			head = 0;
		}
		return n;
	}

	private void ensure(int needed) {
		if (needed <= ring.length) {
			return;
		}
		int length = Math.max(INITIAL, ring.length);
		while (length < needed) {
			length *= 2;
		}
		byte[] bigger = new byte[Math.min(length, CAPACITY)];
		int first = Math.min(size, ring.length - head);
		System.arraycopy(ring, head, bigger, 0, first);
		System.arraycopy(ring, 0, bigger, first, size - first);
		ring = bigger;
		head = 0;
	}
}
